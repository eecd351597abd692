"""Test generation for the coverage boost: gaps, candidates, sandboxed validation, output."""
