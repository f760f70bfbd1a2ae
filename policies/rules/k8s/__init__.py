"""MLK_K8S: Kubernetes workloads."""
