"""`python -m zwgk` runs the CLI (same as the `zwgk` command)."""

from zwgk.cli import main

main()
