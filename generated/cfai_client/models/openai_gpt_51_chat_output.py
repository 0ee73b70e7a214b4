from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.openai_gpt_51_chat_output_usage import OpenaiGpt51ChatOutputUsage


T = TypeVar("T", bound="OpenaiGpt51ChatOutput")


@_attrs_define
class OpenaiGpt51ChatOutput:
    """openai/gpt-5.1-chat output, built from the parameter listing of
    https://developers.cloudflare.com/ai/models/openai/gpt-5.1-chat/ (the published schema-output.json was not reachable
    when vendored); `cfai pull` replaces it with the published file.

        Attributes:
            id (str | Unset):
            object_ (str | Unset):
            created (float | Unset):
            model (str | Unset):
            choices (list[Any] | Unset):
            usage (OpenaiGpt51ChatOutputUsage | Unset):
    """

    id: str | Unset = UNSET
    object_: str | Unset = UNSET
    created: float | Unset = UNSET
    model: str | Unset = UNSET
    choices: list[Any] | Unset = UNSET
    usage: OpenaiGpt51ChatOutputUsage | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        object_ = self.object_

        created = self.created

        model = self.model

        choices: list[Any] | Unset = UNSET
        if not isinstance(self.choices, Unset):
            choices = self.choices

        usage: dict[str, Any] | Unset = UNSET
        if not isinstance(self.usage, Unset):
            usage = self.usage.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if id is not UNSET:
            field_dict["id"] = id
        if object_ is not UNSET:
            field_dict["object"] = object_
        if created is not UNSET:
            field_dict["created"] = created
        if model is not UNSET:
            field_dict["model"] = model
        if choices is not UNSET:
            field_dict["choices"] = choices
        if usage is not UNSET:
            field_dict["usage"] = usage

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.openai_gpt_51_chat_output_usage import OpenaiGpt51ChatOutputUsage  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id", UNSET)

        object_ = d.pop("object", UNSET)

        created = d.pop("created", UNSET)

        model = d.pop("model", UNSET)

        choices = cast(list[Any], d.pop("choices", UNSET))  # type: ignore[redundant-cast, unused-ignore]

        _usage = d.pop("usage", UNSET)
        usage: OpenaiGpt51ChatOutputUsage | Unset
        if isinstance(_usage, Unset):
            usage = UNSET
        else:
            usage = OpenaiGpt51ChatOutputUsage.from_dict(_usage)

        openai_gpt_51_chat_output = cls(
            id=id,
            object_=object_,
            created=created,
            model=model,
            choices=choices,
            usage=usage,
        )

        openai_gpt_51_chat_output.additional_properties = d
        return openai_gpt_51_chat_output

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
