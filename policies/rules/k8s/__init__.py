"""MLK_K8S: Kubernetes workloads, namespaces, RBAC and services."""
