"""Self-healing inside the stack: the runtime's controller on a schedule (AWS: Scheduler → Lambda; Kubernetes:
a CronJob), with its own least-privilege identity, lock and logs."""
