from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.openai_gpt_55_responses_input_reasoning import (
        OpenaiGpt55ResponsesInputReasoning,
    )
    from ..models.openai_gpt_55_responses_input_text import (
        OpenaiGpt55ResponsesInputText,
    )


T = TypeVar("T", bound="OpenaiGpt55ResponsesInput")


@_attrs_define
class OpenaiGpt55ResponsesInput:
    """
    Attributes:
        input_ (list[Any] | str):
        instructions (str | Unset):
        temperature (float | Unset):
        max_output_tokens (float | Unset):
        top_p (float | Unset):
        stream (bool | Unset):
        tools (list[Any] | Unset):
        tool_choice (Any | Unset): The page's parameter listing gives no type for this parameter (shown empty); left
            unconstrained.
        text (OpenaiGpt55ResponsesInputText | Unset):
        reasoning (OpenaiGpt55ResponsesInputReasoning | Unset):
    """

    input_: list[Any] | str
    instructions: str | Unset = UNSET
    temperature: float | Unset = UNSET
    max_output_tokens: float | Unset = UNSET
    top_p: float | Unset = UNSET
    stream: bool | Unset = UNSET
    tools: list[Any] | Unset = UNSET
    tool_choice: Any | Unset = UNSET
    text: OpenaiGpt55ResponsesInputText | Unset = UNSET
    reasoning: OpenaiGpt55ResponsesInputReasoning | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        input_: list[Any] | str
        if isinstance(self.input_, list):
            input_ = self.input_

        else:
            input_ = self.input_

        instructions = self.instructions

        temperature = self.temperature

        max_output_tokens = self.max_output_tokens

        top_p = self.top_p

        stream = self.stream

        tools: list[Any] | Unset = UNSET
        if not isinstance(self.tools, Unset):
            tools = self.tools

        tool_choice = self.tool_choice

        text: dict[str, Any] | Unset = UNSET
        if not isinstance(self.text, Unset):
            text = self.text.to_dict()

        reasoning: dict[str, Any] | Unset = UNSET
        if not isinstance(self.reasoning, Unset):
            reasoning = self.reasoning.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "input": input_,
            }
        )
        if instructions is not UNSET:
            field_dict["instructions"] = instructions
        if temperature is not UNSET:
            field_dict["temperature"] = temperature
        if max_output_tokens is not UNSET:
            field_dict["max_output_tokens"] = max_output_tokens
        if top_p is not UNSET:
            field_dict["top_p"] = top_p
        if stream is not UNSET:
            field_dict["stream"] = stream
        if tools is not UNSET:
            field_dict["tools"] = tools
        if tool_choice is not UNSET:
            field_dict["tool_choice"] = tool_choice
        if text is not UNSET:
            field_dict["text"] = text
        if reasoning is not UNSET:
            field_dict["reasoning"] = reasoning

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.openai_gpt_55_responses_input_reasoning import (
            OpenaiGpt55ResponsesInputReasoning,  # noqa: PLC0415
        )
        from ..models.openai_gpt_55_responses_input_text import (
            OpenaiGpt55ResponsesInputText,  # noqa: PLC0415
        )

        d = dict(src_dict)

        def _parse_input_(data: object) -> list[Any] | str:
            try:
                if not isinstance(data, list):
                    raise TypeError()
                input_type_1 = cast(list[Any], data)  # type: ignore[redundant-cast, unused-ignore]

                return input_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[Any] | str, data)

        input_ = _parse_input_(d.pop("input"))

        instructions = d.pop("instructions", UNSET)

        temperature = d.pop("temperature", UNSET)

        max_output_tokens = d.pop("max_output_tokens", UNSET)

        top_p = d.pop("top_p", UNSET)

        stream = d.pop("stream", UNSET)

        tools = cast(list[Any], d.pop("tools", UNSET))  # type: ignore[redundant-cast, unused-ignore]

        tool_choice = d.pop("tool_choice", UNSET)

        _text = d.pop("text", UNSET)
        text: OpenaiGpt55ResponsesInputText | Unset
        if isinstance(_text, Unset):
            text = UNSET
        else:
            text = OpenaiGpt55ResponsesInputText.from_dict(_text)

        _reasoning = d.pop("reasoning", UNSET)
        reasoning: OpenaiGpt55ResponsesInputReasoning | Unset
        if isinstance(_reasoning, Unset):
            reasoning = UNSET
        else:
            reasoning = OpenaiGpt55ResponsesInputReasoning.from_dict(_reasoning)

        openai_gpt_55_responses_input = cls(
            input_=input_,
            instructions=instructions,
            temperature=temperature,
            max_output_tokens=max_output_tokens,
            top_p=top_p,
            stream=stream,
            tools=tools,
            tool_choice=tool_choice,
            text=text,
            reasoning=reasoning,
        )

        openai_gpt_55_responses_input.additional_properties = d
        return openai_gpt_55_responses_input

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
