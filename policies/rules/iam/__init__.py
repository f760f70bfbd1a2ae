"""MLK_IAM: IAM least privilege."""
