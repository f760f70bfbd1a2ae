"""IAM least privilege."""
