"""Programs that run in the PROJECT's interpreter, by path (standard library, pytest and coverage only)."""
