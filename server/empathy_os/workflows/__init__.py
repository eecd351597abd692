"""Orchestrated workflows: release preparation and test coverage boost."""
