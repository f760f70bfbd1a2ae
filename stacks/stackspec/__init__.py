"""The cloud-neutral spec of one team stack, validated before any resource is registered.

See ``docs/spec.md`` for every key. Two JSON schemas generated from the model are published beside this file
(``python -m stacks.stackspec`` regenerates them): ``stack-file.schema.json`` for whole stack files, which
editors validate against, and ``stack-spec.schema.json`` for the ``mlkeel`` namespace alone.
"""

from ._errors import MISSING, Problem, SpecError
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
from ._schema import SPEC_SCHEMA_FILE, STACK_FILE_SCHEMA_FILE, spec_schema, stack_file_schema

__all__ = [
    "MISSING",
    "NAMESPACE",
    "SPEC_SCHEMA_FILE",
    "STACK_FILE_SCHEMA_FILE",
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
    "Problem",
    "RegistrySpec",
    "RolloutSpec",
    "ServingEndpointSpec",
    "ServingSpec",
    "ShadowSpec",
    "SpecError",
    "SpotJobSpec",
    "StackSpec",
    "TrainingPoolSpec",
    "TrainingSpec",
    "VariantSpec",
    "cross_field_problems",
    "spec_data_from_config",
    "spec_from_config",
    "spec_schema",
    "stack_file_schema",
    "validate_spec_data",
]
