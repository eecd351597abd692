"""The typed context of one run.

Callers (and the tutorial) pass a plain dict: `{"project_path": ".", "max_cost": 0.5, ...}`. It is parsed once,
at the entry points (`MetaOrchestrator.analyze_and_compose`, `ExecutionPlan.execute`,
`ExecutionStrategy.execute`), into a `RunContext`; everything inside works on typed fields. What the run
itself adds (the budget, the loaded project, the agent-done callback, the previous stages' outputs) are
fields too, never hidden dict keys. Keys we do not know are kept in `extras` (a custom template's
`required_context`, e.g. `endpoint_url`, reads them there).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    field_validator,
    model_validator,
)

from empathy_os.analyzers.contract import ProjectContext
from empathy_os.llm.budgeted import Budget, validate_max_cost

# The tutorial names the project in several ways; the first folder named is the project, and a file named
# (`module_path`, or `path` naming a file) is the run's target in it, relative to the project if relative.
PROJECT_KEYS = ("project_path", "path", "module_path", "root")
_PROJECT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git")


def _project_and_target(named: dict[str, Any]) -> dict[str, Path]:
    paths = [Path(str(value)).expanduser() for value in named.values() if value]
    folder = next((p.resolve() for p in paths if not _names_file(p)), None)
    file = next((p for p in paths if _names_file(p)), None)
    if file is None:
        return {} if folder is None else {"project_root": folder}
    target = (folder / file if folder is not None and not file.is_absolute() else file).resolve()
    if not target.is_file():
        raise ValueError(f"context module_path: no such file {file}")
    folder = folder or project_of(target)
    if not target.is_relative_to(folder):
        raise ValueError(f"context module_path: {target} is outside the project {folder}")
    return {"project_root": folder, "target": target}


def _names_file(path: Path) -> bool:
    return path.suffix == ".py" or path.resolve().is_file()


def project_of(file: Path) -> Path:
    """The project a file belongs to: the first folder above its package(s) (the folders with an
    __init__.py), or the one above that (a src/ or tests/ layout) when only that one has a project marker
    (pyproject.toml, setup.py, setup.cfg, .git). Never further up: a home folder under git is no project."""
    folder = file.parent
    while (folder / "__init__.py").is_file() and folder.parent != folder:
        folder = folder.parent
    for candidate in (folder, folder.parent):
        if any((candidate / marker).exists() for marker in _PROJECT_MARKERS):
            return candidate
    return folder


class RunContext(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True, extra="forbid", validate_assignment=False)

    # -- what the caller says ---------------------------------------------------------------------------
    project_root: Path = Field(default_factory=lambda: Path.cwd().resolve())
    target: Path | None = None  # a file named by `module_path` / `path`, when it is a file
    python: str | None = None
    trusted: StrictBool = True  # only a real True trusts the project (fail closed on "yes", 1, ...)
    use_cache: bool = True
    use_model: bool = True
    learn: bool = True
    seed: int | None = None  # for the planner's exploration draws (None: fresh randomness)
    store_path: Path | None = None
    max_cost: float | None = None
    max_concurrency: int = Field(default=4, ge=1)
    quality_threshold: float = Field(default=7.0, ge=0, le=10)
    target_quality: float | None = Field(default=None, ge=0, le=10)
    complexity: str | None = None
    task: str | None = None  # what the run was asked to do (the adaptive strategy classifies it)
    domain: Any = None
    capabilities: Any = None
    content: str | None = None
    issues: list[Any] | None = None
    quality_gates: dict[str, Any] | None = None  # a plan's gates over its templates' (meta_orchestrator.plan_gates)
    extras: dict[str, Any] = Field(default_factory=dict)
    # -- what the run adds -------------------------------------------------------------------------------
    budget: Budget | None = None
    project: ProjectContext | None = None
    on_agent_done: Callable[[Any], None] | None = None
    previous_outputs: list[dict[str, Any]] = Field(default_factory=list)

    @field_validator("max_cost", mode="before")
    @classmethod
    def _cap(cls, value: Any) -> float | None:
        return validate_max_cost(value)

    @model_validator(mode="after")
    def _own_budget(self) -> RunContext:
        if self.budget is None:
            self.budget = Budget(self.max_cost)
        return self

    @classmethod
    def parse(cls, value: RunContext | Mapping[str, Any] | None) -> RunContext:
        """A RunContext from the caller's dict (or the same object); bad input → one-line ValueError."""
        if isinstance(value, RunContext):
            return value
        if value is not None and not isinstance(value, Mapping):
            raise ValueError("context must be a dict")
        data = dict(value or {})
        known = set(cls.model_fields) - {"project_root", "target", "extras"}
        fields: dict[str, Any] = {k: data.pop(k) for k in list(data) if k in known}
        fields.update(_project_and_target({key: data.pop(key, None) for key in PROJECT_KEYS}))
        fields["extras"] = {**dict(fields.get("extras") or {}), **data}
        try:
            return cls(**fields)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "context"
            message = str(first.get("ctx", {}).get("error") or first["msg"])
            raise ValueError(f"context {where}: {message}") from None

    def with_(self, **updates: Any) -> RunContext:
        """A copy for one stage (the budget, project and callback are shared, not copied)."""
        return self.model_copy(update=updates)

    def get(self, key: str, default: Any = None) -> Any:
        """A caller's own key (e.g. a custom template's required context)."""
        value = getattr(self, key, None) if key in type(self).model_fields else self.extras.get(key)
        return default if value is None else value

    def has(self, key: str) -> bool:
        if key in PROJECT_KEYS:
            return True  # the project is always resolved (default: the current folder)
        return self.get(key) not in (None, "", [], {})

    def missing_context(self, templates: list[Any]) -> list[str]:
        """`template.capability: key` for every `required_context` key this run does not provide."""
        return [f"{t.id}.{cap.name}: {key}" for t in templates for cap in t.capabilities
                for key in cap.required_context if not self.has(key)]

    def agent_done(self, result: Any) -> None:
        if self.on_agent_done is not None:
            self.on_agent_done(result)
