"""Commands of zwgk.monitor (placeholder: the stage owner replaces this)."""

import typer


def register(app: typer.Typer) -> None:
    """Add this stage's commands to the root ``zwgk`` app."""
