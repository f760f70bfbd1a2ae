"""MLK_AUDIT: audit logging."""
