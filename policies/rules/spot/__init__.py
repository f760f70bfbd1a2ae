"""MLK_SPOT: spot capacity for training."""
