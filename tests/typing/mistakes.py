"""The mistakes the official `openai` SDK's types catch, made with `cfai.Client`: each is reported
at the mistake, naming the key or field, by mypy and by pyright."""

from cfai import Client
from cfai_models import glm_4_7_flash, gpt_5_1_chat, gpt_5_5
from cfai_models import llama_3_1_8b_instruct as llama
from cfai_models.catalog import ref

client = Client("account", "token")

# 1. A misspelt key.
client.run(llama.prompt, {"prompt": "hi", "temprature": 0.5})  # error: typeddict-unknown-key names temprature
client.chat_completions(gpt_5_1_chat.chat_completions, {"messages": [], "temprature": 0.5})  # error: typeddict-unknown-key names temprature

# 2. A value of the wrong type in a literal payload.
client.run(gpt_5_5.chat_completions, {"messages": [], "temperature": "hot"})  # error: typeddict-item names temperature
client.run(ref("@cf/meta/llama-3.1-8b-instruct"), {"prompt": 42})  # error: typeddict-item names prompt

# 3. A reply field used as what it is not, or misspelt.
reply = client.chat_completions(gpt_5_1_chat.chat_completions, {"messages": [{"role": "user", "content": "hi"}]})
count: int = reply.data.choices  # error: assignment
reply.data.choises  # error: attr-defined names choises

# A model the bindings do not know has no reference: it needs the loose path.
ref("@cf/unknown/model")  # error: call-overload

# A nested payload value of the wrong type, in the newest style of schema (a message's role).
client.run(glm_4_7_flash.model, {"messages": [{"role": "robot", "content": "hi"}]})  # error: misc, list-item

# A stream is asked for with stream(), never as a payload key.
client.run(llama.prompt, {"prompt": "hi", "stream": True})  # error: typeddict-unknown-key names stream

# an option is not a payload key: the per-call form is client.with_options(timeout=5).run(...)
client.run(llama.prompt, {"prompt": "hi"}, timeout=5)  # error: call-arg names timeout
client.with_options(timeout=5).run(llama.prompt, {"prompt": "hi", "temprature": 0.5})  # error: typeddict-unknown-key names temprature
