"""AWS stacks with self-healing on, each planned once per test process with the offline engine.

- ``full``: the component tests' ``full`` stack (every capability, two endpoints, eu-west-1) with
  ``mlkeel:selfHealing`` on;
- ``fraud``: the example stack ``stacks/config/Pulumi.fraud-dev.yaml`` with the section on.

Both are planned by the real program (``stacks.program``), so the spec's own rules apply.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from stacks.engine import PlanResult, plan_config
from stacks.engine._config import load_stack_config

from .aws_plans import FRAUD_STACK, full_config

#: The section as a team writes it: on, every hour, auto-promotion on.
SELF_HEALING: dict[str, Any] = {"enabled": True, "schedule": "rate(1 hour)", "autoPromote": True}


@cache
def healing_full() -> PlanResult:
    return plan_config({**full_config(), "mlkeel:selfHealing": SELF_HEALING}, stack="payments-prod")


@cache
def healing_fraud() -> PlanResult:
    stack = load_stack_config(FRAUD_STACK)
    values = {**stack.values, "mlkeel:selfHealing": json.dumps(SELF_HEALING)}
    return plan_config(values, stack=stack.stack, project=stack.project)


HEALING_PLANS = {"full": healing_full, "fraud": healing_fraud}
