"""The `openai` package's typed realtime event unions, as validators: our conformance oracle."""

from __future__ import annotations

import functools
from typing import Annotated, Any, Union, get_args

import pydantic
from pydantic import Field


def _union(module: str, name: str) -> pydantic.TypeAdapter[Any]:
    mod = __import__(module, fromlist=[name])
    members = get_args(get_args(getattr(mod, name))[0])
    return pydantic.TypeAdapter(Annotated[Union[members], Field(discriminator="type")])  # type: ignore[valid-type]


@functools.cache
def adapter(direction: str, dialect: str) -> pydantic.TypeAdapter[Any]:
    module = "openai.types.realtime" if dialect == "ga" else "openai.types.beta.realtime"
    name = "RealtimeClientEvent" if direction == "client" else "RealtimeServerEvent"
    return _union(module, name)


def validate(direction: str, dialect: str, event: dict[str, Any]) -> None:
    """Raise pydantic.ValidationError unless `event` is a valid event of that direction and dialect."""
    adapter(direction, dialect).validate_python(event)
