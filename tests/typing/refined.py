"""Refined replies (schemas/refinements/) are typed as deep as the openai SDK's: no cast, no `Any`."""

from pydantic import MISSING

from cfai import Client
from cfai_models import gpt_5_1_chat, gpt_5_5

client = Client("account", "token")

chat = client.chat_completions(gpt_5_1_chat.chat_completions, {"messages": [{"role": "user", "content": "hi"}]})
text: str | None = chat.data.choices[0].message.content
reason: str = chat.data.choices[0].finish_reason
index: int = chat.data.choices[0].index
count: int = chat.data.choices[0].message.content  # error: assignment
chat.data.choices[0].message.contents  # error: attr-defined

with client.stream_chat_completions(gpt_5_5.chat_completions, {"messages": [{"role": "user", "content": "hi"}]}) as stream:
    for chunk in stream:
        chunk.choices[0]  # error: index
        if chunk.choices is MISSING:  # a chunk's keys are optional: no recorded chunk has them all
            continue
        for choice in chunk.choices:
            finish: str | None = choice.finish_reason
            piece: str | None = choice.delta.content  # error: assignment
