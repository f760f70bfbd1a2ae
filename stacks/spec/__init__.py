"""The cloud-neutral spec of one team stack, validated before any resource is registered.

See ``docs/spec.md`` for every key. ``StackSpec.model_json_schema(by_alias=True)`` is published as
``stacks/spec/stack-spec.schema.json`` so editors can validate stack files.
"""

from ._errors import SpecError, SpecIssue
from ._load import NAMESPACE, spec_data_from_config, spec_from_config, validate_spec_data
from ._model import (
    AcceleratorSpec,
    AccessSpec,
    AuditSpec,
    BudgetSpec,
    EncryptionSpec,
    FeatureGroupSpec,
    FeatureSpec,
    FeatureStoreSpec,
    ModelSource,
    MonitoringSpec,
    NetworkSpec,
    PoolRequirements,
    RegistrySpec,
    RolloutSpec,
    ServingEndpointSpec,
    ServingSpec,
    ShadowSpec,
    SpotJobSpec,
    StackSpec,
    TrainingPoolSpec,
    TrainingSpec,
    VariantSpec,
    cross_field_problems,
)

__all__ = [
    "NAMESPACE",
    "AcceleratorSpec",
    "AccessSpec",
    "AuditSpec",
    "BudgetSpec",
    "EncryptionSpec",
    "FeatureGroupSpec",
    "FeatureSpec",
    "FeatureStoreSpec",
    "ModelSource",
    "MonitoringSpec",
    "NetworkSpec",
    "PoolRequirements",
    "RegistrySpec",
    "RolloutSpec",
    "ServingEndpointSpec",
    "ServingSpec",
    "ShadowSpec",
    "SpecError",
    "SpecIssue",
    "SpotJobSpec",
    "StackSpec",
    "TrainingPoolSpec",
    "TrainingSpec",
    "VariantSpec",
    "cross_field_problems",
    "spec_data_from_config",
    "spec_from_config",
    "validate_spec_data",
]
