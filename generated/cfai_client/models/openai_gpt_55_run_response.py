from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.api_message import ApiMessage
    from ..models.openai_gpt_55_chat_completions_output import (
        OpenaiGpt55ChatCompletionsOutput,
    )
    from ..models.openai_gpt_55_responses_output import OpenaiGpt55ResponsesOutput


T = TypeVar("T", bound="OpenaiGpt55RunResponse")


@_attrs_define
class OpenaiGpt55RunResponse:
    """
    Attributes:
        result (OpenaiGpt55ChatCompletionsOutput | OpenaiGpt55ResponsesOutput): openai/gpt-5.5 output, built from the
            parameter listing of https://developers.cloudflare.com/ai/models/openai/gpt-5.5/ (the published schema-
            output.json was not reachable when vendored); `cfai pull` replaces it with the published file. The two formats
            overlap (no field is marked required on the page), so they are alternatives (`anyOf`), not exclusive (`oneOf`).
        success (bool):
        errors (list[ApiMessage]):
        messages (list[ApiMessage]):
    """

    result: OpenaiGpt55ChatCompletionsOutput | OpenaiGpt55ResponsesOutput
    success: bool
    errors: list[ApiMessage]
    messages: list[ApiMessage]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.openai_gpt_55_responses_output import OpenaiGpt55ResponsesOutput  # noqa: PLC0415

        result: dict[str, Any]
        if isinstance(self.result, OpenaiGpt55ResponsesOutput):
            result = self.result.to_dict()
        else:
            result = self.result.to_dict()

        success = self.success

        errors = []
        for errors_item_data in self.errors:
            errors_item = errors_item_data.to_dict()
            errors.append(errors_item)

        messages = []
        for messages_item_data in self.messages:
            messages_item = messages_item_data.to_dict()
            messages.append(messages_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "result": result,
                "success": success,
                "errors": errors,
                "messages": messages,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.api_message import ApiMessage  # noqa: PLC0415
        from ..models.openai_gpt_55_chat_completions_output import (
            OpenaiGpt55ChatCompletionsOutput,  # noqa: PLC0415
        )
        from ..models.openai_gpt_55_responses_output import OpenaiGpt55ResponsesOutput  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_result(
            data: object,
        ) -> OpenaiGpt55ChatCompletionsOutput | OpenaiGpt55ResponsesOutput:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_openai_gpt_55_output_type_0 = (
                    OpenaiGpt55ResponsesOutput.from_dict(data)
                )

                return componentsschemas_openai_gpt_55_output_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_openai_gpt_55_output_type_1 = (
                OpenaiGpt55ChatCompletionsOutput.from_dict(data)
            )

            return componentsschemas_openai_gpt_55_output_type_1

        result = _parse_result(d.pop("result"))

        success = d.pop("success")

        errors = []
        _errors = d.pop("errors")
        for errors_item_data in _errors:
            errors_item = ApiMessage.from_dict(errors_item_data)

            errors.append(errors_item)

        messages = []
        _messages = d.pop("messages")
        for messages_item_data in _messages:
            messages_item = ApiMessage.from_dict(messages_item_data)

            messages.append(messages_item)

        openai_gpt_55_run_response = cls(
            result=result,
            success=success,
            errors=errors,
            messages=messages,
        )

        openai_gpt_55_run_response.additional_properties = d
        return openai_gpt_55_run_response

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
