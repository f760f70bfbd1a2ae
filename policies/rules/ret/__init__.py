"""MLK_RET: retention and lifecycle."""
