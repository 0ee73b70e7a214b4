"""The base class of every generated model: accept what the schema accepts, give back what was given.

datamodel-code-generator writes `class X(SchemaModel)` (`base-class` in `[tool.datamodel-codegen]`),
so the two rules below hold for every generated class without post-processing its output:

- **Unknown keys are kept.** JSON Schema allows a key an object's schema does not name unless it says
  `additionalProperties: false`; the service adds such keys every day (`obfuscation`,
  `gatewayMetadata`, `service_tier`). `extra="allow"` keeps them, and `model_dump` gives them back,
  so parse → dump is the identity; a class whose schema says `additionalProperties: false` is still
  generated with `extra="forbid"`, which overrides this default. Keys are dumped under their JSON
  names (`serialize_by_alias`), never the Python field names a generated class may rename them to.
- **An integral float is an integer.** JSON Schema counts `7.0` as an `integer` (draft 2020-12,
  "a number with a zero fractional part"), and so does our validator; pydantic's `StrictInt`
  refuses it. `strict-types` must stay on for `int` (lax `int` would take `"7"` and `True`, which
  the schema refuses), so every strict-int node of the class's core schema is wrapped in a
  before-validator that turns an integral `float` into `int` and leaves every other value to the
  strict check. `7.5`, `"7"` and `True` are still refused.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic_core import SchemaValidator, core_schema

__all__ = ["SchemaModel", "integral_float_to_int"]


def integral_float_to_int(value: Any) -> Any:
    """`7.0` → `7`; anything else (`7.5`, `"7"`, `True`, inf, NaN) unchanged, for the strict check."""
    if type(value) is float and value.is_integer():
        return int(value)
    return value


def _accept_integral_floats(node: Any) -> Any:
    """The core schema `node` with every strict `int` wrapped so that it also takes `7.0`."""
    if isinstance(node, list):
        return [_accept_integral_floats(item) for item in node]
    if not isinstance(node, dict):
        return node
    if node.get("type") == "function-before" and node.get("function", {}).get("function") is integral_float_to_int:
        return node  # already wrapped (a nested model's schema seen twice)
    out = {key: _accept_integral_floats(value) for key, value in node.items()}
    if out.get("type") == "int" and out.get("strict"):
        return core_schema.no_info_before_validator_function(integral_float_to_int, out)
    return out


class SchemaModel(BaseModel):
    """A generated model: keeps unknown keys, dumps JSON names, takes integral floats as integers."""

    # Not `validate_by_name`: a key spelt like a renamed field's Python name is an unknown key, kept as is.
    model_config = ConfigDict(extra="allow", serialize_by_alias=True)

    @classmethod
    def __pydantic_on_complete__(cls) -> None:
        # Once the class is complete its core schema holds everything, the type aliases
        # (`TopLogprobs = TypeAliasType(..., Annotated[StrictInt, ...])`) included as definitions,
        # which a `__get_pydantic_core_schema__` override never sees. The serializer is unchanged.
        schema = _accept_integral_floats(cls.__pydantic_core_schema__)
        if schema != cls.__pydantic_core_schema__:
            cls.__pydantic_core_schema__ = schema
            # Not the prebuilt validators: pydantic-core would reuse this class's old one for its own schema.
            cls.__pydantic_validator__ = SchemaValidator(schema, _use_prebuilt=False)
