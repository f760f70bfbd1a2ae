"""Pytest fixtures for the local Vertex AI server; a test module or conftest loads them with one line:

``pytest_plugins = ["tests._vertex_fixtures"]``
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests._vertex_server import VertexClients, VertexServer, vertex_clients


@pytest.fixture
def vertex_server() -> Iterator[VertexServer]:
    """A fresh server per test (its own port and state), so tests run in any order and in parallel."""
    with VertexServer() as server:
        yield server


@pytest.fixture
def vertex(vertex_server: VertexServer) -> Iterator[VertexClients]:
    """``aiplatform_v1`` Model/Endpoint/Job clients bound to ``vertex_server``."""
    clients = vertex_clients(vertex_server.address)
    try:
        yield clients
    finally:
        clients.close()
