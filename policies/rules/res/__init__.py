"""MLK_RES: data residency."""
