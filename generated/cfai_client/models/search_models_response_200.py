from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.api_message import ApiMessage
    from ..models.search_models_response_200_result_item import (
        SearchModelsResponse200ResultItem,
    )


T = TypeVar("T", bound="SearchModelsResponse200")


@_attrs_define
class SearchModelsResponse200:
    """
    Attributes:
        result (list[SearchModelsResponse200ResultItem]):
        success (bool):
        errors (list[ApiMessage]):
        messages (list[ApiMessage]):
    """

    result: list[SearchModelsResponse200ResultItem]
    success: bool
    errors: list[ApiMessage]
    messages: list[ApiMessage]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        result = []
        for result_item_data in self.result:
            result_item = result_item_data.to_dict()
            result.append(result_item)

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
        from ..models.search_models_response_200_result_item import (
            SearchModelsResponse200ResultItem,  # noqa: PLC0415
        )

        d = dict(src_dict)
        result = []
        _result = d.pop("result")
        for result_item_data in _result:
            result_item = SearchModelsResponse200ResultItem.from_dict(result_item_data)

            result.append(result_item)

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

        search_models_response_200 = cls(
            result=result,
            success=success,
            errors=errors,
            messages=messages,
        )

        search_models_response_200.additional_properties = d
        return search_models_response_200

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
