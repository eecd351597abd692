"""Orchestrated workflows: release preparation and test coverage boost."""

# The boost is a composition the planner can choose ("Boost test coverage to 90 %") and a proposer of the
# fix workflow (changes/boost.py): register its runners.
from empathy_os.workflows import boost_composition as _boost_composition  # noqa: F401
