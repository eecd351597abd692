"""Helpers shared by the unit and LSP tests (not tests themselves)."""
