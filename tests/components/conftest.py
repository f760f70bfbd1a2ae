"""Fixtures the component test modules share: each AWS stack of ``aws_plans`` as a parameter."""

from __future__ import annotations

import pytest

from stacks.engine import PlanResult

from .aws_plans import PLANS as AWS_PLANS


@pytest.fixture(scope="module", params=sorted(AWS_PLANS))
def aws_plan(request: pytest.FixtureRequest) -> PlanResult:
    """Every AWS stack the tests read (full, example, bare, templates), each planned once per process."""
    return AWS_PLANS[request.param]()
