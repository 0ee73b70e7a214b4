from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.get_model_schema_response_200_result_input import (
        GetModelSchemaResponse200ResultInput,
    )
    from ..models.get_model_schema_response_200_result_output import (
        GetModelSchemaResponse200ResultOutput,
    )


T = TypeVar("T", bound="GetModelSchemaResponse200Result")


@_attrs_define
class GetModelSchemaResponse200Result:
    """
    Attributes:
        input_ (GetModelSchemaResponse200ResultInput):
        output (GetModelSchemaResponse200ResultOutput):
    """

    input_: GetModelSchemaResponse200ResultInput
    output: GetModelSchemaResponse200ResultOutput
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        input_ = self.input_.to_dict()

        output = self.output.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "input": input_,
                "output": output,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.get_model_schema_response_200_result_input import (
            GetModelSchemaResponse200ResultInput,  # noqa: PLC0415
        )
        from ..models.get_model_schema_response_200_result_output import (
            GetModelSchemaResponse200ResultOutput,  # noqa: PLC0415
        )

        d = dict(src_dict)
        input_ = GetModelSchemaResponse200ResultInput.from_dict(d.pop("input"))

        output = GetModelSchemaResponse200ResultOutput.from_dict(d.pop("output"))

        get_model_schema_response_200_result = cls(
            input_=input_,
            output=output,
        )

        get_model_schema_response_200_result.additional_properties = d
        return get_model_schema_response_200_result

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
