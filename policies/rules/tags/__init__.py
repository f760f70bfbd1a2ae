"""Cost tags."""
