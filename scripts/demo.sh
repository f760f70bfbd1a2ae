#!/usr/bin/env bash
# Quickstart 1: set up and run the main job on the bundled example stacks, offline, no credentials.
# Plans every example team stack with the real program (no cloud, no Pulumi CLI), then runs the policy
# pack on the planned states and estimates what they cost.
set -euo pipefail
source "$(dirname "$0")/_venv.sh" ""
keel() { .venv/bin/keel "$@"; }
stacks=(stacks/config/Pulumi.*.yaml)
echo "== keel plan: ${#stacks[@]} example stacks"
keel plan "${stacks[@]}" --no-tree
echo
echo "== the resource tree of one of them"
keel plan stacks/config/Pulumi.fraud-dev.yaml
states=(.mlkeel/state/*.json)
echo
echo "== keel check: the policy pack over the analyzer protocol"
keel check "${states[@]}"
echo
echo "== keel cost: monthly estimate by team and component"
keel cost "${states[@]}"
