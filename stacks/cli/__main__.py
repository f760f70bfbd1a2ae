"""``python -m stacks.cli``: the keel command."""

from stacks.cli import main

main()
