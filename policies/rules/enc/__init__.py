"""MLK_ENC: encryption at rest with customer-managed keys."""
