"""No public endpoints, network isolation for training and serving."""
