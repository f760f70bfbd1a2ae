"""MLK_KMS: key management: rotation and key policies."""
