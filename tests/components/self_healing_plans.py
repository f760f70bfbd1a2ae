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


@cache
def healing_fraud_eks() -> PlanResult:
    """The example stack (EKS cluster with the ``kubernetes:`` layer) with the controller as a CronJob."""
    stack = load_stack_config(FRAUD_STACK)
    section = {**SELF_HEALING, "runner": "kubernetes"}
    values = {**stack.values, "mlkeel:selfHealing": json.dumps(section)}
    return plan_config(values, stack=stack.stack, project=stack.project)


@cache
def healing_risk() -> PlanResult:
    """The GCP example stack (``stacks/config/Pulumi.risk-prod.yaml``) with the section on: Cloud Run."""
    from .gcp_plans import RISK_STACK

    stack = load_stack_config(RISK_STACK)
    values = {**stack.values, "mlkeel:selfHealing": json.dumps(SELF_HEALING)}
    return plan_config(values, stack=stack.stack, project=stack.project)


@cache
def healing_risk_gke() -> PlanResult:
    """The GCP example stack with the ``kubernetes:`` layer in its GKE cluster and the controller in it."""
    from .gcp_plans import RISK_STACK

    stack = load_stack_config(RISK_STACK)
    section = {**SELF_HEALING, "runner": "kubernetes"}
    values = {
        **stack.values,
        "mlkeel:selfHealing": json.dumps(section),
        "mlkeel:kubernetes": json.dumps({"nodeInstanceType": "n2-standard-4"}),
    }
    return plan_config(values, stack=stack.stack, project=stack.project)
