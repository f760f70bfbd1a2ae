"""Create or update the one review comment on a GitHub pull request or a GitLab merge request.

The integrations (``action.yml``, ``ci/gitlab/keel-review.gitlab-ci.yml``) run this after ``keel review``:
it looks through the request's comments for the hidden marker every review comment starts with and
updates that one, or creates it, so a pull request pushed ten times still has one review comment. Plain
``urllib`` and the platforms' REST APIs: nothing to install on a CI image beyond mlkeel.

``python -m stacks.review.comments github|gitlab COMMENT.md`` reads where to post from the CI variables
each platform sets (see ``main``) and the token from ``GITHUB_TOKEN`` / ``KEEL_GITLAB_TOKEN``.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

from ._render import GITHUB_COMMENT_LIMIT, GITLAB_NOTE_LIMIT, MARKER

PER_PAGE = 100
#: Pages of comments read at most while looking for ours (10,000 comments).
MAX_PAGES = 100
TIMEOUT_SECONDS = 30


class CommentError(RuntimeError):
    """The platform refused a request; says which request and what it answered."""


def _request(method: str, url: str, headers: dict[str, str], payload: dict[str, Any] | None = None) -> Any:
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            text = response.read().decode()
    except urllib.error.HTTPError as exc:
        said = exc.read().decode(errors="replace")[:500]
        raise CommentError(f"{method} {url}: HTTP {exc.code}: {said}") from None
    except urllib.error.URLError as exc:
        raise CommentError(f"{method} {url}: {exc.reason}") from None
    return json.loads(text) if text.strip() else None


def _pages(url: str, headers: dict[str, str]) -> Iterator[dict[str, Any]]:
    sep = "&" if "?" in url else "?"
    for page in range(1, MAX_PAGES + 1):
        items = _request("GET", f"{url}{sep}per_page={PER_PAGE}&page={page}", headers) or []
        yield from items
        if len(items) < PER_PAGE:
            return


def _fit(body: str, limit: int) -> str:
    if len(body) <= limit:
        return body
    tail = "\n\n… cut to the platform's comment size limit.\n"
    return body[: limit - len(tail)] + tail


def _upsert(
    list_url: str,
    create_url: str,
    update_url: Callable[[Any], str],
    update_method: str,
    headers: dict[str, str],
    body: str,
    marker: str,
) -> str:
    for comment in _pages(list_url, headers):
        if str(comment.get("body") or "").startswith(marker):
            _request(update_method, update_url(comment["id"]), headers, {"body": body})
            return "updated"
    _request("POST", create_url, headers, {"body": body})
    return "created"


def upsert_github_comment(
    api_url: str, repository: str, number: int, token: str, body: str, *, marker: str = MARKER
) -> str:
    """Create or update the review comment on pull request ``number`` of ``owner/repo``."""
    base = f"{api_url.rstrip('/')}/repos/{repository}/issues"
    headers = {
        "Authorization": f"Bearer {token}",
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": "2022-11-28",
        "User-Agent": "mlkeel-review",
    }
    return _upsert(
        f"{base}/{number}/comments",
        f"{base}/{number}/comments",
        lambda comment_id: f"{base}/comments/{comment_id}",
        "PATCH",
        headers,
        _fit(body, GITHUB_COMMENT_LIMIT),
        marker,
    )


def upsert_gitlab_note(
    api_url: str, project: str, mr_iid: int, token: str, body: str, *, marker: str = MARKER
) -> str:
    """Create or update the review note on merge request ``mr_iid`` of ``project`` (id or path)."""
    base = f"{api_url.rstrip('/')}/projects/{urllib.parse.quote(str(project), safe='')}"
    notes = f"{base}/merge_requests/{mr_iid}/notes"
    headers = {"PRIVATE-TOKEN": token, "User-Agent": "mlkeel-review"}
    return _upsert(
        f"{notes}?sort=asc",
        notes,
        lambda note_id: f"{notes}/{note_id}",
        "PUT",
        headers,
        _fit(body, GITLAB_NOTE_LIMIT),
        marker,
    )


def _need(env: dict[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise CommentError(f"environment variable {name} is not set; it says where to post the review")
    return value


def main(argv: list[str] | None = None, env: dict[str, str] | None = None) -> int:
    """``github COMMENT.md`` or ``gitlab COMMENT.md``; prints ``created`` or ``updated``; exit 2 on error.

    GitHub: ``GITHUB_API_URL``, ``GITHUB_REPOSITORY``, ``KEEL_PR_NUMBER``, ``GITHUB_TOKEN``.
    GitLab: ``CI_API_V4_URL``, ``CI_PROJECT_ID``, ``CI_MERGE_REQUEST_IID``, ``KEEL_GITLAB_TOKEN`` (a
    project access token with the ``api`` scope: a job token cannot write notes).
    """
    args = sys.argv[1:] if argv is None else argv
    env = dict(os.environ) if env is None else env
    if len(args) != 2 or args[0] not in ("github", "gitlab"):
        print("usage: python -m stacks.review.comments github|gitlab COMMENT.md", file=sys.stderr)
        return 2
    try:
        with open(args[1], encoding="utf-8") as handle:
            body = handle.read()
        if args[0] == "github":
            done = upsert_github_comment(
                env.get("GITHUB_API_URL", "https://api.github.com"),
                _need(env, "GITHUB_REPOSITORY"),
                int(_need(env, "KEEL_PR_NUMBER")),
                _need(env, "GITHUB_TOKEN"),
                body,
            )
        else:
            done = upsert_gitlab_note(
                _need(env, "CI_API_V4_URL"),
                _need(env, "CI_PROJECT_ID"),
                int(_need(env, "CI_MERGE_REQUEST_IID")),
                _need(env, "KEEL_GITLAB_TOKEN"),
                body,
            )
    except (CommentError, OSError, ValueError) as exc:
        print(f"keel review: cannot post the comment: {exc}", file=sys.stderr)
        return 2
    print(f"review comment {done}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
