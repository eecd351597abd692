"""Empathy: meta-orchestration of analysis agents."""
__version__ = "0.1.0"
