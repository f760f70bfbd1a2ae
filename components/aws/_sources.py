"""Where a served model comes from on AWS, parsed without Pulumi (spec rules use it too).

A variant names either a registry version (``modelPackage``: an ARN, or ``<group>/<version>`` in this
account and region) or a container ``image`` plus a model ``artifact``:

- ``image``: ``builtin:<repository>:<tag>`` for a SageMaker prebuilt image (resolved per region at plan
  time with ``aws.sagemaker.get_prebuilt_ecr_image``, so the example stacks deploy in any region), or a full
  ECR image URI in the stack's region (SageMaker pulls only from its own region);
- ``artifact``: a key relative to the stack's registry bucket (``models/fraud/model.tar.gz``), or an
  ``s3://bucket/key`` URI elsewhere (the execution role is then granted read on exactly that object).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: SageMaker prebuilt image repositories accepted as ``builtin:<repository>:<tag>``.
BUILTIN_REPOSITORIES: tuple[str, ...] = (
    "blazingtext",
    "factorization-machines",
    "forecasting-deepar",
    "huggingface-pytorch-inference",
    "image-classification",
    "ipinsights",
    "kmeans",
    "knn",
    "lda",
    "linear-learner",
    "mxnet-inference",
    "ntm",
    "object-detection",
    "object2vec",
    "pca",
    "pytorch-inference",
    "randomcutforest",
    "sagemaker-scikit-learn",
    "sagemaker-xgboost",
    "semantic-segmentation",
    "seq2seq",
    "tensorflow-inference",
)

#: Prebuilt images that are algorithms: they need a model artifact to serve.
ARTIFACT_REQUIRED = frozenset(BUILTIN_REPOSITORIES) - {"huggingface-pytorch-inference"}

_ECR_URI = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z]{2}(?:-gov)?-[a-z]+-\d)\.amazonaws\.com"
    r"/(?P<repository>(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*)"
    r"(?::(?P<tag>[\w][\w.-]{0,127})|@(?P<digest>sha256:[0-9a-f]{64}))$"
)
_BUILTIN = re.compile(r"^builtin:(?P<repository>[a-z0-9-]+):(?P<tag>[\w][\w.-]{0,127})$")
_S3_URI = re.compile(r"^s3://(?P<bucket>[a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/(?P<key>\S+)$")
_RELATIVE_KEY = re.compile(r"^(?!/)(?!.*\.\.)[\w!\-.*'()/]+$")
_PACKAGE_ARN = re.compile(
    r"^arn:aws[a-z-]*:sagemaker:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):model-package/"
    r"(?P<group>[a-zA-Z0-9](?:-*[a-zA-Z0-9])*)/(?P<version>\d+)$"
)
_PACKAGE_SHORT = re.compile(r"^(?P<group>[a-zA-Z0-9](?:-*[a-zA-Z0-9]){0,62})/(?P<version>[1-9]\d*)$")


@dataclass(frozen=True)
class Image:
    """A container image: ``builtin`` (repository + tag resolved per region) or a full ECR URI."""

    builtin: bool
    repository: str
    tag: str | None = None
    uri: str | None = None
    account: str | None = None
    region: str | None = None


@dataclass(frozen=True)
class Artifact:
    """A model artifact: a key in the stack's registry bucket, or a bucket and key elsewhere."""

    key: str
    bucket: str | None = None


@dataclass(frozen=True)
class Package:
    """A model package version: an ARN, or a group and version in the stack's account and region."""

    group: str
    version: int
    arn: str | None = None


def parse_image(value: str) -> Image:
    """Parse ``builtin:<repo>:<tag>`` or an ECR URI; ValueError saying what is allowed otherwise."""
    match = _BUILTIN.match(value)
    if match:
        repository = match["repository"]
        if repository not in BUILTIN_REPOSITORIES:
            raise ValueError(
                f"unknown SageMaker prebuilt repository '{repository}'; "
                f"use one of: {', '.join(BUILTIN_REPOSITORIES)}"
            )
        return Image(builtin=True, repository=repository, tag=match["tag"])
    match = _ECR_URI.match(value)
    if match:
        return Image(
            builtin=False,
            repository=match["repository"],
            tag=match["tag"] or match["digest"],
            uri=value,
            account=match["account"],
            region=match["region"],
        )
    raise ValueError(
        "must be 'builtin:<repository>:<tag>' (e.g. builtin:sagemaker-xgboost:1.7-1) or an ECR image URI "
        "'<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>' (or '@sha256:<digest>')"
    )


def parse_artifact(value: str) -> Artifact:
    """Parse a bucket-relative key or an ``s3://`` URI of a ``.tar.gz`` model archive."""
    match = _S3_URI.match(value)
    if match:
        artifact = Artifact(key=match["key"], bucket=match["bucket"])
    elif _RELATIVE_KEY.match(value):
        artifact = Artifact(key=value)
    else:
        raise ValueError(
            "must be a key in the stack's registry bucket (e.g. models/fraud/model.tar.gz, no leading '/' "
            "or '..') or an s3://<bucket>/<key> URI"
        )
    if not artifact.key.endswith(".tar.gz"):
        raise ValueError("must point at a model archive ending in .tar.gz (what SageMaker unpacks)")
    return artifact


def parse_package(value: str) -> Package:
    """Parse a model package ARN or ``<group>/<version>``."""
    match = _PACKAGE_ARN.match(value)
    if match:
        return Package(group=match["group"], version=int(match["version"]), arn=value)
    match = _PACKAGE_SHORT.match(value)
    if match:
        return Package(group=match["group"], version=int(match["version"]))
    raise ValueError(
        "must be a model package ARN (arn:aws:sagemaker:<region>:<account>:model-package/<group>/<version>) "
        "or '<group>/<version>' with a version number from 1"
    )
