"""MLK_NET: no public endpoints, network isolation for training and serving."""
