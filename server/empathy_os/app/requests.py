"""One typed request per use case, and the union `Request` keyed by `kind`.

The CLI parses argv into one of these, the daemon builds one from its settings and a command's arguments and
sends `request.model_dump(mode="json")` to its worker, which validates it back with `parse`: the same checks
wherever a request comes from. Trust is fail-closed and written once, here: only a real JSON `true` trusts a
workspace (`StrictBool`), anything else ("true", 1, a missing key) is refused or means untrusted.

pydantic only: importing this module loads none of the workflows (the daemon's start-up needs it light).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel, StrictBool, ValidationError, field_validator

from empathy_os.gate_specs import GATE_SPECS
from empathy_os.gates import gates_from

_GATE_NAMES = {spec.name for spec in GATE_SPECS}


class _Request(BaseModel):
    # defer_build: a front end pays for the schema of the one request it builds, not for all of them.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class _OnProject(_Request):
    """What every use case that works on a project shares."""

    root: Path  # an existing folder; the front end resolves it (a URI, the workspace, --project-root)
    python: str | None = None  # the interpreter that runs the project's tests
    trusted: StrictBool = False  # may project code run? (tests, coverage, the boost's candidates)
    max_cost: float | None = Field(default=None, ge=0, le=1e6)  # cap on model spend, USD

    @field_validator("root")
    @classmethod
    def _a_folder(cls, root: Path) -> Path:
        if not root.is_dir():
            raise ValueError(f"project root {str(root)!r} is not an existing folder")
        return root.resolve()


def gate_thresholds(*layers: dict[str, Any] | None) -> dict[str, float]:
    """The thresholds a user set, under canonical names (`minCoverage` → `min_coverage`), later layers
    overriding earlier ones (the editor's settings, then a command's own gates)."""
    return {name: value for layer in layers for name, value in gates_from(layer).items()}


class _Gated(_OnProject):
    gates: dict[str, float] = Field(default_factory=dict)  # only the thresholds set; defaults apply

    @field_validator("gates", mode="before")
    @classmethod
    def _known_gates(cls, gates: Any) -> Any:
        if not isinstance(gates, dict):
            return gates  # pydantic says what it expected
        canonical = gate_thresholds(gates)
        unknown = sorted(set(canonical) - _GATE_NAMES)
        if unknown:
            raise ValueError(f"unknown quality gate {unknown[0]!r}; known gates: {', '.join(sorted(_GATE_NAMES))}")
        return canonical


class ReleasePrepRequest(_Gated):
    """Run the release gates. An unchanged re-run is answered from the stored report unless `use_cache` is off
    or a SARIF document is wanted (the replay has none)."""

    kind: Literal["release_prep"] = "release_prep"
    use_cache: StrictBool = True
    sarif: StrictBool = False  # also return the findings as a SARIF 2.1.0 document


class ReleaseFixRequest(_Gated):
    """Release prep, then one plan of the agents that can move the failed gates (app/release_fix.py);
    `apply` writes the change set measured on a copy, and the project is measured again."""

    kind: Literal["release_fix"] = "release_fix"
    apply: StrictBool = False
    use_cache: StrictBool = True
    sarif: StrictBool = False


class CoverageBoostRequest(_OnProject):
    """Generate tests for uncovered code; keep only those that pass and add coverage. Nothing is written
    here (`write` is the CLI's: the daemon hands the files to the editor as an edit)."""

    kind: Literal["coverage_boost"] = "coverage_boost"
    target: float = Field(default=80.0, ge=0, le=100)
    max_iterations: int = Field(default=3, ge=1)
    only: str | None = None  # "path.py" or "path.py:function"
    dry_run: StrictBool = False
    write: StrictBool = False


class FixRequest(_OnProject):
    """Verified changes for the current findings; `apply` writes the verified ones."""

    kind: Literal["fix"] = "fix"
    rules: list[str] | None = None
    paths: list[str] | None = None  # relative to the root
    agents: list[str] | None = None
    lines: list[int] | None = None  # only findings on these lines
    apply: StrictBool = False


class VerifyRequest(_OnProject):
    """Would this patch pass? Verified in a private copy; nothing is written."""

    kind: Literal["verify"] = "verify"
    patch: str
    max_patch_bytes: int | None = Field(default=None, gt=0)


class ComposeRequest(_Request):
    """Compose a team for a task; with `execute` also run it."""

    kind: Literal["compose"] = "compose"
    task: str = Field(min_length=1)
    context: dict[str, Any] = Field(default_factory=dict)  # the planner's (project_path, domain, learn, ...)
    execute: StrictBool = False
    trusted: StrictBool = False  # with `execute`: may the run's agents run project code?


class StoreQueryRequest(_Request):
    """Read the configuration store (never creating it): `list` (optionally one task pattern), `show` one
    configuration by id, or the `best` one for a task pattern."""

    kind: Literal["store_query"] = "store_query"
    query: Literal["list", "show", "best"]
    store: Path | None = None  # the store file, else root/.empathy/store.json, else the default location
    root: Path | None = None
    id: str | None = None
    task_pattern: str | None = None

    @field_validator("root")
    @classmethod
    def _a_folder(cls, root: Path | None) -> Path | None:
        if root is not None and not root.is_dir():
            raise ValueError(f"project root {root} is not a directory")
        return root


AnyRequest = Annotated[
    ReleasePrepRequest | ReleaseFixRequest | CoverageBoostRequest | FixRequest | VerifyRequest
    | ComposeRequest | StoreQueryRequest,
    Field(discriminator="kind"),
]


class Request(RootModel[AnyRequest]):
    """Any request, told apart by `kind`: `Request.model_validate(data).root` is the typed request (what a
    worker does with the JSON a daemon sent); pydantic's ValidationError when it is malformed."""

    model_config = ConfigDict(defer_build=True)


def one_line(exc: ValidationError) -> str:
    """A validation error as one line a person can act on (at most three problems, each with its field)."""
    parts = []
    for err in exc.errors()[:3]:
        where = ".".join(str(p) for p in err["loc"]) or "arguments"
        parts.append(f"{where}: {err['msg'].removeprefix('Value error, ')}")
    return "; ".join(parts)
