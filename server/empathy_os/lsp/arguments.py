"""Typed `workspace/executeCommand` arguments.

Each command takes one JSON object. pygls structures it into the dataclass the handler declares, through
the converter below: pydantic validates (a dict is not a str, "false" is False, "x" is not a number) and its message becomes
the JSON-RPC InvalidParams error the client sees. Keys are camelCase on the wire (`dryRun`, `taskPattern`).
"""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field, TypeAdapter, ValidationError
from pydantic.alias_generators import to_camel
from pydantic.dataclasses import dataclass, is_pydantic_dataclass

_CONFIG = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


@dataclass(config=_CONFIG)
class ReleasePrepArgs:
    root: str | None = None  # project folder or file:// URI; default: the workspace folder
    gates: dict[str, float] | None = None  # threshold overrides, e.g. {"minCoverage": 90}


@dataclass(config=_CONFIG)
class CoverageBoostArgs:
    root: str | None = None
    target: float | None = Field(default=None, ge=0, le=100)
    only: str | None = None  # "path.py" or "path.py:function"
    dry_run: bool = False


@dataclass(config=_CONFIG)
class ComposeTeamArgs:
    task: str = Field(min_length=1)
    context: dict[str, Any] | None = None


@dataclass(config=_CONFIG)
class ListTemplatesArgs:
    pass


@dataclass(config=_CONFIG)
class StoreBestArgs:
    task_pattern: str = Field(min_length=1)
    root: str | None = None


@dataclass(config=_CONFIG)
class GenerateTestsArgs:
    uri: str = Field(min_length=1)
    symbol: str = Field(min_length=1)


@dataclass(config=_CONFIG)
class CoverageArgs:
    root: str | None = None


@dataclass(config=_CONFIG)
class ExplainFindingArgs:
    rule: str = Field(min_length=1)
    message: str | None = None
    uri: str | None = None  # where the finding is, for a model-assisted explanation
    line: int | None = Field(default=None, ge=1)


def install(converter: Any) -> Any:
    """Teach pygls's cattrs converter to build our argument dataclasses with pydantic."""

    def structure(value: Any, cls: type) -> Any:
        if value is None:
            value = {}
        if not isinstance(value, dict):
            raise TypeError(f"expected one JSON object argument, got {type(value).__name__}")
        try:
            return TypeAdapter(cls).validate_python(value)
        except ValidationError as exc:
            from empathy_os.app.requests import one_line

            raise ValueError(one_line(exc)) from None

    converter.register_structure_hook_func(is_pydantic_dataclass, structure)
    return converter
