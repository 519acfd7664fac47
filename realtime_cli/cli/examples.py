"""The shipped example agents: find them (a clone's configs/ or the installed package), resolve bare names such
as `--agent support`, list them, and copy one out with its tool modules and demo script to edit.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from ..protocol.errors import UserError

_PACKAGE = Path(__file__).resolve().parents[1]  # realtime_cli/
_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(frozen=True)
class Example:
    name: str
    agent: Path
    demo: Path | None
    description: str


def examples_dir() -> Path:
    """The folder of the example agents: inside the installed package (from a wheel), else the clone's configs/."""
    for folder in (_PACKAGE / "examples", _PACKAGE.parent / "configs"):
        if (folder / "support.yaml").is_file():
            return folder
    raise UserError("the example agents are missing from this install; reinstall rtagent.")


def _description(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("description:"):
            return line.split(":", 1)[1].strip().strip("\"'")
    return ""


def list_examples() -> list[Example]:
    folder = examples_dir()
    found = []
    for agent in sorted(folder.glob("*.yaml")):
        demo = folder / "demos" / agent.name
        found.append(Example(agent.stem, agent, demo if demo.is_file() else None, _description(agent)))
    return found


def _bare_name(value: str) -> str | None:
    name = value.removesuffix(".yaml")
    return name if _NAME.match(name) else None


def _find(value: str) -> Example | None:
    name = _bare_name(value)
    if name is None:
        return None
    return next((e for e in list_examples() if e.name == name), None)


def resolve_agent(value: str) -> Path:
    """`value` as a path when that file exists (a folder NAME made by `examples copy` means NAME/NAME.yaml);
    else a shipped example of that name; else the path (the loader then says the file is missing)."""
    path = Path(value)
    copied = path / f"{path.name}.yaml"
    if path.is_dir() and copied.is_file():
        return copied
    if path.exists():
        return path
    example = _find(value)
    return example.agent if example is not None else path


def resolve_script(value: str) -> Path:
    """Like resolve_agent, for the demo scripts (`--script support`; a copied folder's demos/NAME.yaml)."""
    path = Path(value)
    copied = path / "demos" / f"{path.name}.yaml"
    if path.is_dir() and copied.is_file():
        return copied
    if path.exists():
        return path
    example = _find(value)
    return example.demo if example is not None and example.demo is not None else path


def looks_like_script(path: Path) -> bool:
    """A script's top level has `steps:` and no `agents:` (read line by line: the loaders report bad YAML)."""
    from .input_files import InputFileError, read_text_file

    try:
        lines = read_text_file(path).splitlines()  # guarded: a FIFO or /dev/zero must not hang this peek
    except InputFileError:
        return False
    keys = {line.split(":", 1)[0] for line in lines if line[:1].isalpha() and ":" in line}
    return "steps" in keys and "agents" not in keys


def _tool_files(example: Example) -> list[Path]:
    """The files of the tool modules an example's YAML imports (`tools.support:f` -> tools/__init__.py and
    tools/support.py), relative to the examples folder."""
    import yaml

    folder = example.agent.parent
    data = yaml.safe_load(example.agent.read_text(encoding="utf-8"))
    entries = [*(data.get("tools") or {}).values(), *(data.get("guardrails") or {}).values()]
    modules = {str(e["function"]).split(":", 1)[0] for e in entries if isinstance(e, dict) and e.get("function")}
    files: list[Path] = []
    for module in sorted(modules):
        parts = module.split(".")
        for depth in range(1, len(parts) + 1):
            base = Path(*parts[:depth])
            for candidate in (base / "__init__.py", base.with_suffix(".py")):
                if (folder / candidate).is_file() and candidate not in files:
                    files.append(candidate)
    return files


def copy_example(name: str, dest: Path | None, force: bool) -> list[Path]:
    """Copy example `name` (YAML, tool modules, demo script) into `dest` (default ./NAME); returns the new files."""
    example = _find(name)
    if example is None:
        known = ", ".join(e.name for e in list_examples())
        raise UserError(f"no example named {name!r}; the examples are: {known}.")
    target = dest if dest is not None else Path(example.name)
    if target.exists() and not target.is_dir():
        raise UserError(f"{target} is a file; give a folder to copy the example into.")
    sources = [Path(example.agent.name), *_tool_files(example)]
    if example.demo is not None:
        sources.append(Path("demos") / example.demo.name)
    clashes = [target / s for s in sources if (target / s).exists()]
    if clashes and not force:
        raise UserError(f"{clashes[0]} exists; pick another folder, or pass --force to overwrite.")
    copied = []
    for source in sources:
        out = target / source
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(example.agent.parent / source, out)
        except OSError as exc:
            raise UserError(f"cannot write {out} ({exc.strerror or exc}); pick another folder.") from None
        copied.append(out)
    return copied
