"""Request-body field types shared by the services."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from pydantic import Field

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
