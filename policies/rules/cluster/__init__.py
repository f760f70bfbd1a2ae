"""MLK_CLUSTER: Kubernetes clusters and their nodes: hardened nodes, current and verified control planes,
no legacy authentication."""
