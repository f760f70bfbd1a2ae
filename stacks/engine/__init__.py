"""The offline engine: run the real Pulumi program with no cloud and no Pulumi CLI.

``keel plan`` uses it; so do the tests. The program is the same one ``pulumi up`` runs; only the engine
differs: the SDK's mock runtime with a monitor that records the graph the way the engine would
(``_monitor``) and provider answers that look like the clouds' (``mocks``). The result is the stack's
state in the ``pulumi stack export`` format, which ``keel check`` and ``keel cost`` read.
"""

from ._config import SECRET_PLACEHOLDER, StackConfig, find_project_file, load_stack_config
from ._run import STATE_DIR, PlanResult, plan_config, plan_stack_file, run_program, state_document

__all__ = [
    "SECRET_PLACEHOLDER",
    "STATE_DIR",
    "PlanResult",
    "StackConfig",
    "find_project_file",
    "load_stack_config",
    "plan_config",
    "plan_stack_file",
    "run_program",
    "state_document",
]
