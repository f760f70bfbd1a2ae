"""The inputs every GCP capability component shares, declared once (``CapabilityArgs`` plus the project).

Each GCP capability's args ``TypedDict`` extends one of these, so the composer can hand every capability
the same context (``components.platform.gcp.GcpContext``) and a shared input has one name and one type.
"""

import pulumi

from components.args import CapabilityArgs

# No `from __future__ import annotations`: Pulumi's component analyzer reads these annotations at run time.


class GcpCapabilityArgs(CapabilityArgs):
    """Where a GCP capability deploys: the stack's project."""

    project: str
    """The GCP project id."""


class GcpKeyedArgs(GcpCapabilityArgs):
    """A GCP capability whose data is encrypted with the stack's own key (CMEK; all but the key itself)."""

    encryption_key: pulumi.Input[str]
    """Id of the stack's Cloud KMS crypto key."""


__all__ = ["GcpCapabilityArgs", "GcpKeyedArgs"]
