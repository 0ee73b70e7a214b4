"""The three mistakes the official `openai` SDK's types catch, made with `cfai.Client`."""

from cfai import Client

client = Client("account", "token")

# 1. A misspelt keyword parameter (no signature of chat_completions for gpt-5.1-chat takes it).
client.chat_completions(model="openai/gpt-5.1-chat", messages=[{"role": "user", "content": "hi"}], temprature=0.5)  # error: call-overload

# 2. A value of the wrong type in a literal payload, and a key the model does not have.
client.run("openai/gpt-5.5", {"messages": [], "temperature": "hot"})  # error: call-overload
client.run("@cf/meta/llama-3.1-8b-instruct", {"prompt": "hi", "temprature": 0.5})  # error: call-overload

# 3. A reply field used as what it is not.
reply = client.chat_completions(model="openai/gpt-5.1-chat", messages=[{"role": "user", "content": "hi"}])
count: int = reply.data.choices  # error: assignment

# A model the bindings do not know is not a catch-all: it needs the loose path.
client.run("@cf/unknown/model", {"prompt": "hi"})  # error: call-overload

# A nested payload value of the wrong type, in the newest style of schema (a message's role).
client.run("@cf/zai-org/glm-4.7-flash", {"messages": [{"role": "robot", "content": "hi"}]})  # error: call-overload

# A model without a streamed format cannot be asked for a stream.
client.run("@cf/meta/llama-3.1-8b-instruct", {"prompt": "hi"}, stream=True)  # error: call-overload
