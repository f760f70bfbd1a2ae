"""The opt-in mlkeel-checkov pack: `pulumi preview --policy-pack policies/packs/mlkeel-checkov` runs Checkov's
resource checks on the preview (Checkov from .venv-scanners; see policies/checkov_pack.py)."""

import sys
from pathlib import Path

# Run from a checkout without installing it: the repository root holds the `policies` package.
sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from pulumi_policy import EnforcementLevel

from policies._server import serve
from policies.checkov_pack import CheckovResourceChecks

serve(
    name="mlkeel-checkov",
    policies=[CheckovResourceChecks().policy()],
    enforcement_level=EnforcementLevel.ADVISORY,
    description="mlkeel-checkov: Checkov's Terraform resource checks on the preview, through keel export.",
    display_name="mlkeel-checkov",
    tags=["checkov", "aws", "gcp"],
)
