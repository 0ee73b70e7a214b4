"""What a type checker knows about each call: the payload is checked, the reply is the model's type."""

from typing import reveal_type

from cfai import AsyncClient, Client
from cfai_models import glm_4_7_flash, gpt_5_1_chat, gpt_5_5
from cfai_models import llama_3_1_8b_instruct as llama
from cfai_models.catalog import ref

client = Client("account", "token")

chat = client.chat_completions(gpt_5_1_chat.chat_completions, {"messages": [{"role": "user", "content": "hi"}], "temperature": 1.5})
reveal_type(chat.data)  # reveal: cfai_models.types.gpt_5_1_chat.ChatCompletionsOutput
reveal_type(chat.data.choices)  # reveal: list[cfai_models.types.gpt_5_1_chat.Choice]
reveal_type(chat.data.choices[0].message.content)  # reveal: str | None

joke = client.run(llama.prompt, {"prompt": "Tell me a joke", "temperature": 0.6, "max_tokens": 64})
reveal_type(joke.data)  # reveal: cfai_models.types.llama_3_instruct.ResponseOutput | bytes

named = client.run(ref("@cf/meta/llama-3.1-8b-instruct"), {"prompt": "Tell me a joke"})
reveal_type(named.data)  # reveal: cfai_models.types.llama_3_instruct.ResponseOutput | bytes

glm = client.run(
    glm_4_7_flash.model,
    {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "hi"}], "temperature": 0.2},
)
with client.stream(gpt_5_5.chat_completions, {"messages": [{"role": "user", "content": "hi"}]}) as stream:
    for chunk in stream:
        reveal_type(chunk)  # reveal: cfai_models.types.gpt_5_5.ChatCompletionsChunk

responses = client.responses(gpt_5_5.responses, {"input": "hi", "max_output_tokens": 64})
reveal_type(responses.data)  # reveal: cfai_models.types.gpt_5_5.ResponsesOutput

loose = client.run_untyped("@cf/unknown/model", {"prompt": "hi"})
reveal_type(loose.data)  # reveal: Any


async def main() -> None:
    async with AsyncClient("account", "token") as aclient:
        answer = await aclient.chat_completions(gpt_5_5.chat_completions, {"messages": [{"role": "user", "content": "hi"}]})
        reveal_type(answer.data)  # reveal: cfai_models.types.gpt_5_5.ChatCompletionsOutput

with client.stream(llama.messages, {"messages": [{"role": "user", "content": "hi"}]}) as frames:
    for frame in frames:
        reveal_type(frame)  # reveal: cfai.frames.WorkersAIChunk
    reveal_type(frames.text())  # reveal: str

# Per-call options: a copy of the client (the typed methods' keywords are the payload's), same types.
quick = client.with_options(timeout=5, extra_headers={"cf-aig-cache-ttl": "60"}).run(llama.prompt, {"prompt": "hi"})
reveal_type(quick.data)  # reveal: cfai_models.types.llama_3_instruct.ResponseOutput | bytes
reveal_type(quick.headers)  # reveal: httpx._models.Headers
reveal_type(quick.content)  # reveal: bytes
