"""Client settings (section "empathy"), from `initializationOptions` and `workspace/didChangeConfiguration`.

Clients send the section nested (`{"gates": {"minCoverage": 80}}`, VS Code's `getConfiguration`), flattened
(`{"gates.minCoverage": 80}`), or wrapped (`{"empathy": {...}}`); all three are accepted. Unknown keys are
ignored so a newer extension does not break an older server; a wrongly typed value is rejected with a
one-line reason and the previous settings stay in force.

Trust is the exception: it is read on its own, before and apart from the other keys, and fails closed. Only
an explicit JSON `true` trusts; `false`, null, "true", 1 or no `trusted` key at all mean untrusted, and an
update whose other keys are invalid still applies it (a `trusted: false` must never be lost with them).
"""

from __future__ import annotations

import os
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model
from pydantic.alias_generators import to_camel

from empathy_os.gate_specs import GATE_SPECS

SECTION = "empathy"


class _Section(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


class _GateSettings(_Section):

    def quality_gates(self) -> dict[str, float | int]:
        """The workflow's `quality_gates` dict: only thresholds the user set (the workflow has defaults)."""
        return {k: v for k, v in self.model_dump().items() if v is not None}


# One field per gate of `empathy_os.gate_specs.GATE_SPECS` (camelCase in the editor: `minCoverage`).
Gates = create_model("Gates", __base__=_GateSettings, **{
    gate.name: ((int if gate.whole else float) | None, Field(default=None, ge=gate.low, le=gate.high))
    for gate in GATE_SPECS})


class Coverage(_Section):
    target: float | None = Field(default=None, ge=0, le=100)


class ProjectSettings(_Section):
    python: str | None = None  # interpreter that runs the project's tests


class Models(_Section):
    cheap: str | None = None
    capable: str | None = None
    premium: str | None = None


class Settings(_Section):
    gates: Gates = Field(default_factory=Gates)
    coverage: Coverage = Field(default_factory=Coverage)
    project: ProjectSettings = Field(default_factory=ProjectSettings)
    models: Models = Field(default_factory=Models)
    max_cost_usd: float | None = Field(default=None, ge=0)
    # The editor's workspace trust; never validated with the rest (see trust_of). The daemon starts
    # untrusted until a client says `trusted: true`.
    trusted: bool = False

    @property
    def python(self) -> str | None:
        return self.project.python or None

    @property
    def coverage_target(self) -> float:
        return self.coverage.target if self.coverage.target is not None else 80.0


def _nest(flat: dict[str, Any]) -> dict[str, Any]:
    """`{"gates.minCoverage": 80}` → `{"gates": {"minCoverage": 80}}`; nested input passes through."""
    out: dict[str, Any] = {}
    for key, value in flat.items():
        if isinstance(value, dict):
            value = _nest(value)
        parts = str(key).split(".")
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ValueError(f"setting {key!r} conflicts with a plain value")  # noqa: TRY004
        last = parts[-1]
        if isinstance(node.get(last), dict) and isinstance(value, dict):
            node[last].update(value)
        else:
            node[last] = value
    return out


def section_of(payload: Any) -> dict[str, Any] | None:
    """The "empathy" section inside whatever a client sent, or None when it sent nothing usable."""
    if not isinstance(payload, dict):
        return None
    inner = payload.get(SECTION)
    if isinstance(inner, dict):
        return inner
    if any(str(k).startswith(SECTION + ".") for k in payload):
        return {str(k)[len(SECTION) + 1:]: v for k, v in payload.items() if str(k).startswith(SECTION + ".")}
    return payload


def trust_of(payload: Any) -> bool:
    """The trust a client payload grants: True only for an explicit `trusted: true`, whatever else it holds."""
    section = section_of(payload)
    if section is None:
        return False
    try:
        return _nest(section).get("trusted") is True
    except ValueError:
        return False


def parse_settings(payload: Any) -> Settings:
    """Settings from a client payload. Raises ValueError with a one-line reason on a bad value.

    `trusted` is taken from trust_of, never validated (and so never the reason an update is refused).
    """
    section = section_of(payload)
    if section is None:
        return Settings()
    nested = _nest(section)
    nested.pop("trusted", None)
    try:
        settings = Settings.model_validate(nested)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ValueError(f"invalid setting empathy.{where}: {first['msg']}") from None
    settings.trusted = trust_of(payload)
    return settings


def apply_model_env(settings: Settings, env: dict[str, str] | None = None) -> None:
    """Model ids reach the tier table through its documented environment overrides.

    The daemon owns its process environment, so every workflow it starts sees the editor's choice without
    each call threading a tier table through.
    """
    env = os.environ if env is None else env
    for tier, model in (("CHEAP", settings.models.cheap), ("CAPABLE", settings.models.capable),
                        ("PREMIUM", settings.models.premium)):
        key = f"EMPATHY_MODEL_{tier}"
        # Remember what the user's own environment said, so clearing the setting restores it.
        original = _ENV_BEFORE.setdefault(key, env.get(key))
        if model:
            env[key] = model
        elif original is None:
            env.pop(key, None)
        else:
            env[key] = original


_ENV_BEFORE: dict[str, str | None] = {}
