from __future__ import annotations

from collections.abc import Mapping
from typing import (
    TYPE_CHECKING,
    Any,
    Literal,
    TypeVar,
    cast,
)

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.openai_gpt_55_responses_output_status import (
    OpenaiGpt55ResponsesOutputStatus,
)
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.openai_gpt_55_responses_output_usage import (
        OpenaiGpt55ResponsesOutputUsage,
    )


T = TypeVar("T", bound="OpenaiGpt55ResponsesOutput")


@_attrs_define
class OpenaiGpt55ResponsesOutput:
    """
    Attributes:
        id (str | Unset):
        object_ (Literal['response'] | Unset):
        created_at (float | Unset):
        model (str | Unset):
        output (list[Any] | Unset):
        output_text (str | Unset):
        status (OpenaiGpt55ResponsesOutputStatus | Unset):
        usage (OpenaiGpt55ResponsesOutputUsage | Unset):
    """

    id: str | Unset = UNSET
    object_: Literal["response"] | Unset = UNSET
    created_at: float | Unset = UNSET
    model: str | Unset = UNSET
    output: list[Any] | Unset = UNSET
    output_text: str | Unset = UNSET
    status: OpenaiGpt55ResponsesOutputStatus | Unset = UNSET
    usage: OpenaiGpt55ResponsesOutputUsage | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        object_ = self.object_

        created_at = self.created_at

        model = self.model

        output: list[Any] | Unset = UNSET
        if not isinstance(self.output, Unset):
            output = self.output

        output_text = self.output_text

        status: str | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = self.status.value

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
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if model is not UNSET:
            field_dict["model"] = model
        if output is not UNSET:
            field_dict["output"] = output
        if output_text is not UNSET:
            field_dict["output_text"] = output_text
        if status is not UNSET:
            field_dict["status"] = status
        if usage is not UNSET:
            field_dict["usage"] = usage

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.openai_gpt_55_responses_output_usage import (
            OpenaiGpt55ResponsesOutputUsage,  # noqa: PLC0415
        )

        d = dict(src_dict)
        id = d.pop("id", UNSET)

        object_ = cast(Literal["response"] | Unset, d.pop("object", UNSET))
        if object_ != "response" and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'response', got '{object_}'")

        created_at = d.pop("created_at", UNSET)

        model = d.pop("model", UNSET)

        output = cast(list[Any], d.pop("output", UNSET))  # type: ignore[redundant-cast, unused-ignore]

        output_text = d.pop("output_text", UNSET)

        _status = d.pop("status", UNSET)
        status: OpenaiGpt55ResponsesOutputStatus | Unset
        if isinstance(_status, Unset):
            status = UNSET
        else:
            status = OpenaiGpt55ResponsesOutputStatus(_status)

        _usage = d.pop("usage", UNSET)
        usage: OpenaiGpt55ResponsesOutputUsage | Unset
        if isinstance(_usage, Unset):
            usage = UNSET
        else:
            usage = OpenaiGpt55ResponsesOutputUsage.from_dict(_usage)

        openai_gpt_55_responses_output = cls(
            id=id,
            object_=object_,
            created_at=created_at,
            model=model,
            output=output,
            output_text=output_text,
            status=status,
            usage=usage,
        )

        openai_gpt_55_responses_output.additional_properties = d
        return openai_gpt_55_responses_output

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
