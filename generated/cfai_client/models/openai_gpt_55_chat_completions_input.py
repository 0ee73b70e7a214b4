from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.openai_gpt_55_chat_completions_input_audio import (
        OpenaiGpt55ChatCompletionsInputAudio,
    )
    from ..models.openai_gpt_55_chat_completions_input_stream_options import (
        OpenaiGpt55ChatCompletionsInputStreamOptions,
    )


T = TypeVar("T", bound="OpenaiGpt55ChatCompletionsInput")


@_attrs_define
class OpenaiGpt55ChatCompletionsInput:
    """
    Attributes:
        messages (list[Any]):
        temperature (float | Unset):
        max_tokens (float | Unset):
        max_completion_tokens (float | Unset):
        top_p (float | Unset):
        frequency_penalty (float | Unset):
        presence_penalty (float | Unset):
        stream (bool | Unset):
        stream_options (OpenaiGpt55ChatCompletionsInputStreamOptions | Unset):
        tools (list[Any] | Unset):
        tool_choice (Any | Unset): The page's parameter listing gives no type for this parameter (shown empty); left
            unconstrained.
        response_format (Any | Unset): The page's parameter listing gives no type for this parameter (shown empty); left
            unconstrained.
        modalities (list[Any] | Unset):
        audio (OpenaiGpt55ChatCompletionsInputAudio | Unset):
    """

    messages: list[Any]
    temperature: float | Unset = UNSET
    max_tokens: float | Unset = UNSET
    max_completion_tokens: float | Unset = UNSET
    top_p: float | Unset = UNSET
    frequency_penalty: float | Unset = UNSET
    presence_penalty: float | Unset = UNSET
    stream: bool | Unset = UNSET
    stream_options: OpenaiGpt55ChatCompletionsInputStreamOptions | Unset = UNSET
    tools: list[Any] | Unset = UNSET
    tool_choice: Any | Unset = UNSET
    response_format: Any | Unset = UNSET
    modalities: list[Any] | Unset = UNSET
    audio: OpenaiGpt55ChatCompletionsInputAudio | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        messages = self.messages

        temperature = self.temperature

        max_tokens = self.max_tokens

        max_completion_tokens = self.max_completion_tokens

        top_p = self.top_p

        frequency_penalty = self.frequency_penalty

        presence_penalty = self.presence_penalty

        stream = self.stream

        stream_options: dict[str, Any] | Unset = UNSET
        if not isinstance(self.stream_options, Unset):
            stream_options = self.stream_options.to_dict()

        tools: list[Any] | Unset = UNSET
        if not isinstance(self.tools, Unset):
            tools = self.tools

        tool_choice = self.tool_choice

        response_format = self.response_format

        modalities: list[Any] | Unset = UNSET
        if not isinstance(self.modalities, Unset):
            modalities = self.modalities

        audio: dict[str, Any] | Unset = UNSET
        if not isinstance(self.audio, Unset):
            audio = self.audio.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "messages": messages,
            }
        )
        if temperature is not UNSET:
            field_dict["temperature"] = temperature
        if max_tokens is not UNSET:
            field_dict["max_tokens"] = max_tokens
        if max_completion_tokens is not UNSET:
            field_dict["max_completion_tokens"] = max_completion_tokens
        if top_p is not UNSET:
            field_dict["top_p"] = top_p
        if frequency_penalty is not UNSET:
            field_dict["frequency_penalty"] = frequency_penalty
        if presence_penalty is not UNSET:
            field_dict["presence_penalty"] = presence_penalty
        if stream is not UNSET:
            field_dict["stream"] = stream
        if stream_options is not UNSET:
            field_dict["stream_options"] = stream_options
        if tools is not UNSET:
            field_dict["tools"] = tools
        if tool_choice is not UNSET:
            field_dict["tool_choice"] = tool_choice
        if response_format is not UNSET:
            field_dict["response_format"] = response_format
        if modalities is not UNSET:
            field_dict["modalities"] = modalities
        if audio is not UNSET:
            field_dict["audio"] = audio

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.openai_gpt_55_chat_completions_input_audio import (
            OpenaiGpt55ChatCompletionsInputAudio,  # noqa: PLC0415
        )
        from ..models.openai_gpt_55_chat_completions_input_stream_options import (
            OpenaiGpt55ChatCompletionsInputStreamOptions,  # noqa: PLC0415
        )

        d = dict(src_dict)
        messages = cast(list[Any], d.pop("messages"))  # type: ignore[redundant-cast, unused-ignore]

        temperature = d.pop("temperature", UNSET)

        max_tokens = d.pop("max_tokens", UNSET)

        max_completion_tokens = d.pop("max_completion_tokens", UNSET)

        top_p = d.pop("top_p", UNSET)

        frequency_penalty = d.pop("frequency_penalty", UNSET)

        presence_penalty = d.pop("presence_penalty", UNSET)

        stream = d.pop("stream", UNSET)

        _stream_options = d.pop("stream_options", UNSET)
        stream_options: OpenaiGpt55ChatCompletionsInputStreamOptions | Unset
        if isinstance(_stream_options, Unset):
            stream_options = UNSET
        else:
            stream_options = OpenaiGpt55ChatCompletionsInputStreamOptions.from_dict(
                _stream_options
            )

        tools = cast(list[Any], d.pop("tools", UNSET))  # type: ignore[redundant-cast, unused-ignore]

        tool_choice = d.pop("tool_choice", UNSET)

        response_format = d.pop("response_format", UNSET)

        modalities = cast(list[Any], d.pop("modalities", UNSET))  # type: ignore[redundant-cast, unused-ignore]

        _audio = d.pop("audio", UNSET)
        audio: OpenaiGpt55ChatCompletionsInputAudio | Unset
        if isinstance(_audio, Unset):
            audio = UNSET
        else:
            audio = OpenaiGpt55ChatCompletionsInputAudio.from_dict(_audio)

        openai_gpt_55_chat_completions_input = cls(
            messages=messages,
            temperature=temperature,
            max_tokens=max_tokens,
            max_completion_tokens=max_completion_tokens,
            top_p=top_p,
            frequency_penalty=frequency_penalty,
            presence_penalty=presence_penalty,
            stream=stream,
            stream_options=stream_options,
            tools=tools,
            tool_choice=tool_choice,
            response_format=response_format,
            modalities=modalities,
            audio=audio,
        )

        openai_gpt_55_chat_completions_input.additional_properties = d
        return openai_gpt_55_chat_completions_input

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
