"""Stack-wide rules."""
