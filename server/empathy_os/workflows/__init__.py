"""Orchestrated workflows: release preparation and test coverage boost."""

# The boost is a composition the planner can choose ("Boost test coverage to 90 %"): register its runner.
from empathy_os.workflows import boost_composition as _boost_composition  # noqa: F401
