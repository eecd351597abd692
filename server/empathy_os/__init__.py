"""Empathy: meta-orchestration of analysis agents."""
from empathy_os import astlock

__version__ = "0.1.0"

# Before any analyzer thread starts: see astlock for the CPython bug this works around.
astlock.install()
