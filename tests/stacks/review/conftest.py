"""A real git repository holding an mlkeel project, with a base commit and a pull request's head commit.

The project is this checkout's program (``mlkeel``, ``stacks``, ``components``, ``runtime``) with one stack
file; the head adds a GPU endpoint to the stack file and, in the components' code, stops creating the S3
buckets' encryption configuration, as a careless pull request might. A third commit touches only docs.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PROGRAM_PACKAGES = ("mlkeel", "stacks", "components", "runtime")
STACK_FILE = "stacks/config/Pulumi.fraud-dev.yaml"


def git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Kim Lee",
        "GIT_AUTHOR_EMAIL": "kim-lee@example.com",
        "GIT_COMMITTER_NAME": "Kim Lee",
        "GIT_COMMITTER_EMAIL": "kim-lee@example.com",
    }
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, env=env, check=True
    )
    return done.stdout


def remove_bucket_encryption(source: str) -> str:
    """The components' S3 helper without its BucketServerSideEncryptionConfiguration call."""
    changed, count = re.subn(
        r"\n    aws\.s3\.BucketServerSideEncryptionConfiguration\(.*?\n    \)\n", "\n", source, flags=re.S
    )
    assert count == 1, "components/aws/_s3.py no longer creates the encryption configuration this way"
    return changed


@dataclass(frozen=True)
class PullRequestRepo:
    path: Path
    base: str
    head: str
    docs_only: str


@pytest.fixture(scope="session")
def pr_repo(tmp_path_factory: pytest.TempPathFactory) -> PullRequestRepo:
    repo = tmp_path_factory.mktemp("pr-repo")
    ignore = shutil.ignore_patterns("__pycache__", "templates", "config", "*.pyc")
    for package in PROGRAM_PACKAGES:
        shutil.copytree(ROOT / package, repo / package, ignore=ignore)
    shutil.copy(ROOT / "Pulumi.yaml", repo / "Pulumi.yaml")
    (repo / "stacks" / "config").mkdir()
    shutil.copy(FIXTURES / "Pulumi.fraud-dev.base.yaml", repo / STACK_FILE)
    (repo / "README.md").write_text("# team platform\n")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    base = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "checkout", "-q", "-b", "gpu-endpoint")
    shutil.copy(FIXTURES / "Pulumi.fraud-dev.head.yaml", repo / STACK_FILE)
    s3 = repo / "components" / "aws" / "_s3.py"
    s3.write_text(remove_bucket_encryption(s3.read_text()))
    git(repo, "commit", "-q", "-am", "A GPU endpoint; buckets without their encryption configuration")
    head = git(repo, "rev-parse", "HEAD").strip()
    (repo / "README.md").write_text("# team platform\n\nNow with a GPU endpoint.\n")
    git(repo, "commit", "-q", "-am", "docs")
    docs_only = git(repo, "rev-parse", "HEAD").strip()
    return PullRequestRepo(repo, base, head, docs_only)
