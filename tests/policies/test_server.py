"""mlkeel's pack server must answer exactly like the stock ``pulumi_policy`` server, byte for byte."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policies.analyzer import AnalyzerSession, analyze_request, analyze_stack_request, parse_state
from policies.packs import pack_dir

from ._kit import BASE_STATES, base_state, load_cases, mutate, resource_urn


def _requests():
    """Every resource of the base states, each mutated resource of every case, and every AnalyzeStack."""
    requests = []
    for base in BASE_STATES:
        state = parse_state(json.dumps(base_state(base)), Path(base))
        requests += [("Analyze", analyze_request(state, r)) for r in state.resources]
        requests.append(("AnalyzeStack", analyze_stack_request(state)))
    for case in load_cases():
        data = mutate(case)
        state = parse_state(json.dumps(data), Path(f"{case.id}.json"))
        if case.resource and not case.ops.get("remove"):
            urn = resource_urn(data, case.resource)
            requests += [("Analyze", analyze_request(state, r)) for r in state.resources if r.urn == urn]
        else:
            requests += [("Analyze", analyze_request(state, r)) for r in state.resources]
        requests.append(("AnalyzeStack", analyze_stack_request(state)))
    return requests


def _answers(requests, monkeypatch, server: str) -> list[bytes]:
    monkeypatch.setenv("MLKEEL_POLICY_SERVER", server)
    with AnalyzerSession(pack_dir("mlkeel"), workers=1) as session:
        # the pack names the server it runs: a silent fallback to the stock one would compare it to itself
        assert session.processes[0].server == server
        session.configure({"all": "mandatory"})
        stub = session.processes[0].stub
        return [
            getattr(stub, method)(request, timeout=60).SerializeToString(deterministic=True)
            for method, request in requests
        ]


@pytest.mark.parametrize("server", ["mlkeel", "stock"])
def test_server_the_pack_reports_which_server_runs(monkeypatch, server):
    monkeypatch.setenv("MLKEEL_POLICY_SERVER", server)
    with AnalyzerSession(pack_dir("mlkeel"), workers=1) as session:
        assert session.processes[0].server == server


@pytest.mark.slow
def test_server_answers_like_stock_server(monkeypatch):
    requests = _requests()
    stock = _answers(requests, monkeypatch, "stock")
    ours = _answers(requests, monkeypatch, "mlkeel")
    differing = [
        requests[i][1].urn if requests[i][0] == "Analyze" else "stack"
        for i, (a, b) in enumerate(zip(stock, ours, strict=True))
        if a != b
    ]
    assert differing == []
    assert sum(1 for a in ours if a) > len(
        load_cases()
    )  # the answers hold findings, not only empty responses
