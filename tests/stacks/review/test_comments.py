"""One sticky comment: the poster finds its comment by the marker (across pages) and updates it, or creates
it; against a local stand-in for the GitHub and GitLab REST APIs on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from stacks.review import GITHUB_COMMENT_LIMIT, MARKER
from stacks.review.comments import main, upsert_github_comment, upsert_gitlab_note


class FakeApi:
    """Comments of one pull request, listed in pages as both platforms do; records every write."""

    def __init__(self, comments: list[dict[str, Any]]) -> None:
        self.comments = comments
        self.writes: list[tuple[str, str, dict[str, Any]]] = []
        self.headers: list[dict[str, str]] = []


def _handler(api: FakeApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            return

        def _reply(self, status: int, payload: Any) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            api.headers.append(dict(self.headers))
            query = parse_qs(urlparse(self.path).query)
            page, per_page = int(query["page"][0]), int(query["per_page"][0])
            self._reply(200, api.comments[(page - 1) * per_page : page * per_page])

        def _write(self) -> None:
            api.headers.append(dict(self.headers))
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            api.writes.append((self.command, urlparse(self.path).path, body))
            self._reply(201 if self.command == "POST" else 200, {"id": 999, **body})

        do_POST = do_PATCH = do_PUT = _write

    return Handler


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """A proxy set for CI must not carry requests meant for 127.0.0.1."""
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def serve() -> Iterator[Any]:
    servers: list[ThreadingHTTPServer] = []

    def start(api: FakeApi) -> str:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(api))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _others(n: int) -> list[dict[str, Any]]:
    return [{"id": i, "body": f"looks good {i}"} for i in range(1, n + 1)]


def test_github_updates_the_marked_comment_on_a_later_page(serve) -> None:
    api = FakeApi([*_others(150), {"id": 777, "body": MARKER + "\nold review"}])
    url = serve(api)
    assert upsert_github_comment(url, "team/platform", 12, "t0ken", MARKER + "\nnew review") == "updated"
    assert api.writes == [
        ("PATCH", "/repos/team/platform/issues/comments/777", {"body": MARKER + "\nnew review"})
    ]
    assert api.headers[0]["Authorization"] == "Bearer t0ken"


def test_github_creates_the_comment_when_there_is_none(serve) -> None:
    api = FakeApi([*_others(3), {"id": 5, "body": "a quote of " + MARKER}])  # the marker must lead
    url = serve(api)
    assert upsert_github_comment(url, "team/platform", 12, "t0ken", MARKER + "\nreview") == "created"
    assert api.writes == [("POST", "/repos/team/platform/issues/12/comments", {"body": MARKER + "\nreview"})]


def test_github_body_is_cut_to_the_platform_limit(serve) -> None:
    api = FakeApi([])
    upsert_github_comment(serve(api), "team/platform", 1, "t", MARKER + "x" * (GITHUB_COMMENT_LIMIT + 10))
    assert len(api.writes[0][2]["body"]) <= GITHUB_COMMENT_LIMIT


def test_gitlab_updates_the_marked_note(serve) -> None:
    api = FakeApi([*_others(2), {"id": 41, "body": MARKER + "\nold"}])
    url = serve(api)
    assert upsert_gitlab_note(url, "team/platform", 7, "glpat", MARKER + "\nnew") == "updated"
    assert api.writes == [
        ("PUT", "/projects/team%2Fplatform/merge_requests/7/notes/41", {"body": MARKER + "\nnew"})
    ]
    assert api.headers[0]["Private-Token"] == "glpat"


def test_the_module_reads_the_ci_variables(serve, tmp_path: Path, capsys) -> None:
    api = FakeApi([])
    comment = tmp_path / "keel-review.md"
    comment.write_text(MARKER + "\nreview\n")
    env = {
        "CI_API_V4_URL": serve(api),
        "CI_PROJECT_ID": "42",
        "CI_MERGE_REQUEST_IID": "3",
        "KEEL_GITLAB_TOKEN": "x",
    }
    assert main(["gitlab", str(comment)], env) == 0
    assert api.writes[0][:2] == ("POST", "/projects/42/merge_requests/3/notes")
    assert "review comment created" in capsys.readouterr().out


def test_the_module_names_a_missing_variable(tmp_path: Path, capsys) -> None:
    comment = tmp_path / "keel-review.md"
    comment.write_text(MARKER)
    assert main(["github", str(comment)], {"GITHUB_REPOSITORY": "team/platform", "GITHUB_TOKEN": "t"}) == 2
    assert "KEEL_PR_NUMBER is not set" in capsys.readouterr().err
