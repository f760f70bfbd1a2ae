"""Program of a project created with `pulumi new`: the mlkeel program, unchanged."""

from stacks.program import main

main()
