"""MLK_TAG: cost tags."""
