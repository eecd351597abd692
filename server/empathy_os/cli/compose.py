"""Placeholder until its issue lands: registers nothing."""


def register(subparsers) -> None:  # noqa: ARG001
    return None
