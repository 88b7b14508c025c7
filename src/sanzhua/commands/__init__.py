"""The commands: each a plain function returning an exit code, testable without the CLI."""
