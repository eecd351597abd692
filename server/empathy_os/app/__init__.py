"""Use cases shared by the CLI, the daemon and the Python API: each takes plain arguments and returns a typed
result or JSON, and knows nothing of argparse or LSP (the front ends parse and print)."""
