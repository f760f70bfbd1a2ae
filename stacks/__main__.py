"""Entry point Pulumi runs (``main: stacks/`` in Pulumi.yaml)."""

from stacks.program import main

main()
