"""Shared hypothesis helpers for the fuzz suites: mutate a valid event (delete a key, replace a value with an
odd one, insert an odd key) so both the client and the engine are fed near-valid garbage."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st


def json_values(scalars: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Nested lists and objects of `scalars`, small enough to stay fast."""
    return st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                        | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path inside nested dicts and lists."""
    out: list[tuple[Any, ...]] = []
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        out.append((*prefix, key))
        out.extend(paths(child, (*prefix, key)))
    return out


def at(value: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        value = value[key]
    return value


def mutate(draw: st.DrawFn, event: dict[str, Any], odd: st.SearchStrategy[Any], keys: st.SearchStrategy[str],
           *, keep_type: bool = False) -> dict[str, Any]:
    """A deep copy of `event` with one to four mutations. `keep_type` mostly spares the `type` key (nine in ten),
    so most mutants still reach their event's handler."""
    event = copy.deepcopy(event)
    for _ in range(draw(st.integers(1, 4))):
        where = paths(event)
        if keep_type and draw(st.integers(0, 9)):
            where = [p for p in where if p != ("type",)]
        op = draw(st.sampled_from(["delete", "replace", "replace", "insert"]))
        if op == "insert":
            containers = [p for p in [(), *where] if isinstance(at(event, p), dict)]
            at(event, draw(st.sampled_from(containers)))[draw(keys)] = copy.deepcopy(draw(odd))
        elif where:
            path = draw(st.sampled_from(where))
            parent = at(event, path[:-1])
            if op == "delete":
                del parent[path[-1]]
            else:
                parent[path[-1]] = copy.deepcopy(draw(odd))
    return event
