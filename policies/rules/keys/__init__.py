"""Key management: rotation and key policies."""
