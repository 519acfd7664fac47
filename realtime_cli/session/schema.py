"""JSON schemas in the strict form the Realtime API's function calling expects.

Strict means: every object says `additionalProperties: false` and lists all its properties as required, all the way
down (nested objects, array items, `anyOf` branches and `$defs`). pydantic's schemas leave both out.
"""

from __future__ import annotations

from typing import Any

from ..protocol.errors import UserError

__all__ = ["strict_json_schema"]

_NESTED_MAPS = ("properties", "$defs", "definitions")
_NESTED_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")


def strict_json_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A strict copy of `schema` ({} counts as an empty object)."""
    if not schema:
        return {"type": "object", "properties": {}, "required": [], "additionalProperties": False}
    strict: dict[str, Any] = _strict(schema, "schema")
    return strict


def _strict(node: Any, where: str) -> Any:
    if isinstance(node, list):
        return [_strict(value, f"{where}[{i}]") for i, value in enumerate(node)]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _NESTED_MAPS and isinstance(value, dict):
            out[key] = {name: _strict(sub, f"{where}.{key}.{name}") for name, sub in value.items()}
        elif key in _NESTED_LISTS or key == "items":
            out[key] = _strict(value, f"{where}.{key}")
        else:
            out[key] = value
    if out.get("type") == "object" or "properties" in out:
        if out.get("additionalProperties") not in (None, False):
            raise UserError(f"{where}: a strict schema cannot allow additional properties; "
                            "use a model with named fields")
        out["additionalProperties"] = False
        out["required"] = list(out.get("properties", {}))
    return out
