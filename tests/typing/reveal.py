"""What a type checker knows about each call: the payload is checked, the reply is the model's type."""

from typing import reveal_type

from cfai import AsyncClient, Client

client = Client("account", "token")

chat = client.chat_completions(model="openai/gpt-5.1-chat", messages=[{"role": "user", "content": "hi"}], temperature=1.5)
reveal_type(chat.data)  # reveal: cfai_models.openai_gpt_5_1_chat.ChatCompletionsOutput
reveal_type(chat.data.choices)  # reveal: list[cfai_models.openai_gpt_5_1_chat.Choice]

llama = client.run("@cf/meta/llama-3.1-8b-instruct", {"prompt": "Tell me a joke", "temperature": 0.6, "max_tokens": 64})
reveal_type(llama.data)  # reveal: cfai_models.cf_meta_llama_3_1_8b_instruct.ResponseOutput | bytes

glm = client.run(
    "@cf/zai-org/glm-4.7-flash",
    {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "hi"}], "temperature": 0.2},
)
reveal_type(glm.data)  # reveal: cfai_models.cf_zai_org_glm_4_7_flash.IdOutput | bytes
glm.data.choices  # error: union-attr
with client.chat_completions(model="openai/gpt-5.5", messages=[{"role": "user", "content": "hi"}], stream=True) as stream:
    for chunk in stream:
        reveal_type(chunk)  # reveal: cfai_models.openai_gpt_5_5.ChatCompletionsChunk

responses = client.responses(model="openai/gpt-5.5", input="hi", max_output_tokens=64)
reveal_type(responses.data)  # reveal: cfai_models.openai_gpt_5_5.ResponsesOutput

loose = client.run_untyped("@cf/unknown/model", {"prompt": "hi"})
reveal_type(loose.data)  # reveal: Any


async def main() -> None:
    async with AsyncClient("account", "token") as aclient:
        answer = await aclient.chat_completions(model="openai/gpt-5.5", messages=[{"role": "user", "content": "hi"}])
        reveal_type(answer.data)  # reveal: cfai_models.openai_gpt_5_5.ChatCompletionsOutput
