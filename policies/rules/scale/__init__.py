"""MLK_SCALE: autoscaling bounds and instance allow-lists."""
