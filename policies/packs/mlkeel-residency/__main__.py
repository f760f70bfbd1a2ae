"""The mlkeel-residency CrossGuard pack:
`pulumi preview --policy-pack policies/packs/mlkeel-residency` or `keel check`."""

import sys
from pathlib import Path

# Run from a checkout without installing it: the repository root holds the `policies` package.
sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from policies.packs import serve_pack

serve_pack("mlkeel-residency")
