from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.api_message import ApiMessage
    from ..models.openai_gpt_51_chat_output import OpenaiGpt51ChatOutput


T = TypeVar("T", bound="OpenaiGpt51ChatRunResponse")


@_attrs_define
class OpenaiGpt51ChatRunResponse:
    """
    Attributes:
        result (OpenaiGpt51ChatOutput): openai/gpt-5.1-chat output, built from the parameter listing of
            https://developers.cloudflare.com/ai/models/openai/gpt-5.1-chat/ (the published schema-output.json was not
            reachable when vendored); `cfai pull` replaces it with the published file.
        success (bool):
        errors (list[ApiMessage]):
        messages (list[ApiMessage]):
    """

    result: OpenaiGpt51ChatOutput
    success: bool
    errors: list[ApiMessage]
    messages: list[ApiMessage]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
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
        from ..models.openai_gpt_51_chat_output import OpenaiGpt51ChatOutput  # noqa: PLC0415

        d = dict(src_dict)
        result = OpenaiGpt51ChatOutput.from_dict(d.pop("result"))

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

        openai_gpt_51_chat_run_response = cls(
            result=result,
            success=success,
            errors=errors,
            messages=messages,
        )

        openai_gpt_51_chat_run_response.additional_properties = d
        return openai_gpt_51_chat_run_response

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
