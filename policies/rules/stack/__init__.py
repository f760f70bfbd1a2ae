"""MLK_STACK: stack-wide rules (over the whole resource graph)."""
