"""Cloud Run v2 in a state: which types run containers, and where each keeps its revision template.

A Job nests the task template one level deeper than a Service or a worker pool
(``template.template`` against ``template``), so every Cloud Run rule reads settings through
:func:`template_path` instead of hard-coding one shape and silently passing the other.
"""

from __future__ import annotations

RUN_JOB = "gcp:cloudrunv2/job:Job"
RUN_SERVICE = "gcp:cloudrunv2/service:Service"
RUN_WORKER_POOL = "gcp:cloudrunv2/workerPool:WorkerPool"

#: Type token -> path of the template that holds the key, the identity and the network settings.
TEMPLATES: dict[str, str] = {
    RUN_JOB: "template.template",
    RUN_SERVICE: "template",
    RUN_WORKER_POOL: "template",
}

#: How the resources' docs name the types together (``resources`` in a rule's metadata).
TYPES_DOC = "gcp:cloudrunv2/{job:Job,service:Service,workerPool:WorkerPool}"


def template_path(resource_type: str, field: str) -> str:
    """``template.template.encryptionKey`` for a Job, ``template.encryptionKey`` otherwise."""
    return f"{TEMPLATES[resource_type]}.{field}"
