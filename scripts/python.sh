#!/usr/bin/env bash
# The Python package and the Spark job: builds and installs ./python (PyO3 +
# maturin, an abi3 wheel) with pytest and pyspark into a virtual
# environment, then runs python/tests (the binding against the command
# line, the Spark job in local mode against `provenant scan`). Needs Java
# 17 (scripts/deps.sh) and the release binary (`cargo build --release`).
#   scripts/python.sh [PYTEST ARGS...]
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${PROVENANT_VENV:-target/python-venv}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet "./python[test,spark]"
cargo build --release --quiet --bin provenant
PYSPARK_PYTHON="$venv/bin/python" PATH="$PWD/$venv/bin:$PATH" \
  "$venv/bin/python" -m pytest python/tests "$@"
