"""Request-body field types shared by the services."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from pydantic import BeforeValidator, Field

T = TypeVar("T")


def _drop_null(schema: dict[str, Any]) -> None:
    """The field's schema without its `null` alternative."""
    variants = schema.pop("anyOf", None)
    if variants is None:
        return
    kept = [v for v in variants if v.get("type") != "null"]
    if len(kept) == 1:
        schema.update(kept[0])
    else:
        schema["anyOf"] = kept


# A field of a partial update that may be left out but never set to null: validated as
# `T | None` (so the service answers an explicit null with its own 422, naming the field once),
# documented in OpenAPI as `T` alone, since null is never accepted.
Omittable = Annotated[T | None, Field(json_schema_extra=_drop_null)]


def _whole(value: Any) -> Any:
    # JSON Schema counts 2.0 as an integer (a number with no fractional part), so a client
    # that sends it follows the schema: it is taken as 2. 2.5, "2" and true stay refused.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


WHOLE = BeforeValidator(_whole)
"""Makes a `StrictInt` field take integers as OpenAPI's `type: integer` means them: JSON
integers and integral numbers (`2.0`), nothing else (no strings, booleans or fractions).
It goes last, after the bounds, so they stay in the schema as `minimum`/`maximum`:
`Annotated[StrictInt, Field(ge=1, le=5), WHOLE]`."""
