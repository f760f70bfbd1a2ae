"""Every AWS action the controller calls, with the resource it touches: the least-privilege role's source.

Why as data: the stack's role (components/self_healing/aws.py) is compared with this table by a test, so
a new call here without a grant there fails in CI instead of with AccessDenied in a stack. Resource
kinds: ``bucket`` (with the prefixes in :data:`BUCKET_PREFIXES`), ``key``, ``lease-table``, ``endpoint``,
``endpoint-config``, ``model``, ``training-job``, ``model-package-group``, ``model-package``, ``pass-role``,
``topic``, ``alarm``, ``budget`` (the stack's AWS Budget), and ``*`` where IAM has no resource-level
permission.
"""

from __future__ import annotations

__all__ = ["AWS_ACTIONS", "BUCKET_PREFIXES"]

#: action → resource kinds it is called on.
AWS_ACTIONS: dict[str, tuple[str, ...]] = {
    "s3:ListBucket": ("bucket",),
    "s3:GetObject": ("bucket",),
    "s3:PutObject": ("bucket",),
    "kms:Decrypt": ("key",),
    "kms:GenerateDataKey": ("key",),
    "dynamodb:UpdateItem": ("lease-table",),
    "dynamodb:DeleteItem": ("lease-table",),
    "sagemaker:DescribeEndpoint": ("endpoint",),
    "sagemaker:UpdateEndpoint": ("endpoint", "endpoint-config"),
    "sagemaker:DescribeEndpointConfig": ("endpoint-config",),
    "sagemaker:CreateEndpointConfig": ("endpoint-config",),
    "sagemaker:DescribeModel": ("model",),
    "sagemaker:CreateModel": ("model",),
    "sagemaker:CreateTrainingJob": ("training-job",),
    "sagemaker:DescribeTrainingJob": ("training-job",),
    "sagemaker:AddTags": ("training-job",),
    "sagemaker:ListModelPackages": ("model-package-group",),
    "sagemaker:CreateModelPackage": ("model-package-group", "model-package"),
    "sagemaker:UpdateModelPackage": ("model-package",),
    "iam:PassRole": ("pass-role",),
    "cloudwatch:PutMetricData": ("*",),
    "cloudwatch:GetMetricData": ("*",),
    "cloudwatch:DescribeAlarms": ("alarm",),
    "sns:Publish": ("topic",),
    "budgets:ViewBudget": ("budget",),
}

#: Bucket prefixes: read (``GetObject``/``ListBucket``) and written (``PutObject``).
BUCKET_PREFIXES: dict[str, tuple[str, ...]] = {
    "read": ("data-capture/", "labels/", "models/", "self-healing/", "training-output/"),
    "write": ("self-healing/",),
}
