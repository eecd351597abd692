"""Typed `workspace/executeCommand` arguments.

Each command takes one JSON object. pygls structures it into the dataclass the handler declares, through
the converter below: pydantic validates (a dict is not a str, "false" is False, "x" is not a number) and its message becomes
the JSON-RPC InvalidParams error the client sees. Keys are camelCase on the wire (`dryRun`, `taskPattern`).
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Annotated, Any

from annotated_types import Ge, Interval, MinLen

# Plain dataclasses with annotated-types constraints: pydantic (~0.1 s of imports and schema building) is
# loaded at the first command, not at the daemon's start (bench/lsp_bench.py: spawn → initialize).
_ARGUMENTS: set[type] = set()


def _arguments(cls: type) -> type:
    _ARGUMENTS.add(cls)
    return dataclasses.dataclass(cls)


@_arguments
class ReleasePrepArgs:
    root: str | None = None  # project folder or file:// URI; default: the workspace folder
    gates: dict[str, float] | None = None  # threshold overrides, e.g. {"minCoverage": 90}


@_arguments
class CoverageBoostArgs:
    root: str | None = None
    target: Annotated[float | None, Interval(ge=0, le=100)] = None
    only: str | None = None  # "path.py" or "path.py:function"
    dry_run: bool = False


@_arguments
class ComposeTeamArgs:
    task: Annotated[str, MinLen(1)]
    context: dict[str, Any] | None = None


@_arguments
class ListTemplatesArgs:
    pass


@_arguments
class StoreBestArgs:
    task_pattern: Annotated[str, MinLen(1)]
    root: str | None = None


@_arguments
class GenerateTestsArgs:
    uri: Annotated[str, MinLen(1)]
    symbol: Annotated[str, MinLen(1)]


@_arguments
class CoverageArgs:
    root: str | None = None


@_arguments
class ExplainFindingArgs:
    rule: Annotated[str, MinLen(1)]
    message: str | None = None
    uri: str | None = None  # where the finding is, for a model-assisted explanation
    line: Annotated[int | None, Ge(1)] = None


@_arguments
class FixArgs:
    root: str | None = None  # project folder or file URI; default: the file's project, else the workspace
    uri: str | None = None  # restrict to findings in this file
    uris: list[str] | None = None  # restrict to findings in these files ("Fix Findings…" in the extension)
    rules: list[str] | None = None
    agents: list[str] | None = None
    line: Annotated[int | None, Ge(1)] = None  # restrict to the finding on this line (a code action)
    apply: bool = False  # send verified changes to the editor as workspace/applyEdit
    # Without apply: add to each verified change the text edits that make it, per file, with the version of
    # the open document they were checked against (the extension previews and applies them itself).
    edits: bool = False


@_arguments
class VerifyArgs:
    patch: Annotated[str, MinLen(1)]  # a unified diff
    root: str | None = None


@_arguments
class ReleaseFixArgs:
    root: str | None = None  # project folder or file URI; default: the workspace


def install(converter: Any) -> Any:
    """Teach pygls's cattrs converter to build our argument dataclasses with pydantic."""

    def structure(value: Any, cls: type) -> Any:
        from pydantic import ValidationError

        if value is None:
            value = {}
        if not isinstance(value, dict):
            raise TypeError(f"expected one JSON object argument, got {type(value).__name__}")
        try:
            return _adapter(cls).validate_python(value)
        except ValidationError as exc:
            from empathy_os.app.requests import one_line

            raise ValueError(one_line(exc)) from None

    converter.register_structure_hook_func(_ARGUMENTS.__contains__, structure)
    return converter


@functools.cache
def _adapter(cls: type) -> Any:
    from pydantic import ConfigDict, TypeAdapter
    from pydantic.alias_generators import to_camel

    cls.__pydantic_config__ = ConfigDict(alias_generator=to_camel, populate_by_name=True)  # camelCase keys
    return TypeAdapter(cls)
