"""Shared fixtures: the repository, the release binary, the dev set, and
an environment where no default trust anchors are found (as the Rust
tests run the command line)."""

import json
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
DEV = (ROOT / ".." / "shared" / "eval" / "dev").resolve()

# The binding and the command line look for default trust anchors in the
# same places: none, in both.
os.environ.pop("PROVENANT_TRUST_ANCHORS", None)
os.environ["XDG_CONFIG_HOME"] = "/nonexistent"


@pytest.fixture(scope="session")
def binary() -> pathlib.Path:
    path = ROOT / "target" / "release" / "provenant"
    assert path.is_file(), f"{path} is missing: run `cargo build --release`"
    return path


@pytest.fixture(scope="session")
def dev() -> pathlib.Path:
    assert (DEV / "manifest.csv").is_file(), f"the dev set is missing at {DEV}"
    return DEV


def cli(binary, *args, check=True):
    """Runs the command line with the test environment."""
    return subprocess.run([str(binary), *map(str, args)], capture_output=True, text=True, check=check)


def records(text):
    """The file records of JSONL text."""
    return [r for r in map(json.loads, text.splitlines()) if r["type"] == "file"]


@pytest.fixture(scope="session")
def dev_scan(binary, dev, tmp_path_factory):
    """`provenant scan` of the dev set: its journal's file records."""
    out = tmp_path_factory.mktemp("scan")
    run = cli(binary, "scan", dev, "--out", out, "--jobs", "2", "--quiet", check=False)
    assert run.returncode in (0, 1), run.stderr
    return records((out / "report.jsonl").read_text())
