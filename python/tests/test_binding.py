"""The Python binding against the command line, on the dev set."""

import json
import os
import pathlib
from concurrent.futures import ThreadPoolExecutor

import pytest

import provenant
from conftest import ROOT, cli, records


def some(dev_scan, step=5):
    return [r["path"] for r in dev_scan[::step]]


def test_records_equal_the_command_lines_analyze_json(binary, dev_scan):
    paths = some(dev_scan)
    expected = records(cli(binary, "analyze", "--json", *paths, check=False).stdout)
    assert len(expected) == len(paths)
    assert [provenant.analyze(p) for p in paths] == expected
    analyzer = provenant.Analyzer()
    assert [analyzer.analyze(pathlib.Path(p)) for p in paths] == expected


def test_scan_iter_yields_the_scans_journal(dev, dev_scan):
    assert list(provenant.scan_iter([dev], jobs=2)) == dev_scan


def test_bytes_are_analysed_as_the_file(dev_scan):
    analyzer = provenant.Analyzer()
    for path in some(dev_scan, 25):
        data = pathlib.Path(path).read_bytes()
        from_bytes = analyzer.analyze(data, name="in-memory.bin")
        from_path = analyzer.analyze(path)
        assert from_bytes["path"] == "in-memory.bin"
        assert from_bytes["modified_ns"] is None
        for key in ("verdict", "synthetic_probability", "decision", "hashes", "flags"):
            assert from_bytes[key] == from_path[key], key
        assert analyzer.analyze(bytearray(data), name="x")["hashes"] == from_path["hashes"]


def test_bad_input_raises_a_typed_exception_with_the_command_lines_message(binary, tmp_path):
    for path in ["/nonexistent/x.jpg", tmp_path]:
        run = cli(binary, "analyze", "--json", path, check=False)
        assert run.returncode == 1 and run.stdout == ""
        message = run.stderr.splitlines()[0].removeprefix("provenant: ")
        with pytest.raises(provenant.InputError) as caught:
            provenant.analyze(path)
        assert message.startswith(str(caught.value)), (message, str(caught.value))
        assert isinstance(caught.value, provenant.ProvenantError)
    # An unreadable file in a scan gets a record carrying the error instead.
    (record,) = provenant.scan_iter(["/nonexistent/x.jpg"])
    assert record["errors"][0]["stage"] == "read"

    with pytest.raises(provenant.ConfigError):
        provenant.Analyzer({"limits": {"max_file_bytes": "many"}})
    bad_model = tmp_path / "model.json"
    bad_model.write_text("{}")
    with pytest.raises(provenant.ConfigError, match="model"):
        provenant.load_model(bad_model)


def test_threads_share_one_analyzer(dev_scan):
    analyzer = provenant.Analyzer()
    paths = some(dev_scan, 3)
    alone = [analyzer.analyze_json(p) for p in paths]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(analyzer.analyze_json, paths))
    assert together == alone


def test_configuration_models_and_version(binary, dev_scan, tmp_path):
    path = some(dev_scan)[0]
    assert provenant.Analyzer({"no_pixels": True}).analyze(path)["synthetic_probability"] is None
    no_model = provenant.Analyzer(use_model=False)
    assert no_model.model_id is None
    assert no_model.analyze(path)["synthetic_probability"] is None
    assert provenant.Analyzer({"no_pixels": True}).config["no_pixels"] is True

    embedded = provenant.Model.embedded()
    default_json = ROOT / "src" / "model" / "default.json"
    loaded = provenant.load_model(default_json)
    assert loaded.id == embedded.id == provenant.Analyzer().model_id
    assert provenant.Analyzer(model=default_json).analyze(path) == provenant.analyze(path)

    version = cli(binary, "--version").stdout.split()[-1]
    assert provenant.__version__ == version
    assert provenant.SCHEMA_VERSION == provenant.analyze(path)["schema_version"]
