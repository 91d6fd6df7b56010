"""The PySpark job in local mode: its records equal `provenant scan`'s on
the dev set, a re-run skips finished shards, `provenant report` merges
them."""

import os
import pathlib
import subprocess
import sys

from conftest import ROOT, cli, records

JOB = ROOT / "python" / "provenant" / "spark.py"


def submit(*args):
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable, PYSPARK_DRIVER_PYTHON=sys.executable)
    spark_submit = pathlib.Path(sys.executable).parent / "spark-submit"
    run = subprocess.run(
        [str(spark_submit), "--master", "local[2]", str(JOB), *map(str, args)],
        capture_output=True, text=True, env=env, timeout=900,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    return run.stdout + run.stderr


def shard_records(out):
    return [r for shard in sorted(out.glob("shard-*.jsonl")) for r in records(shard.read_text())]


def test_spark_job_records_equal_the_scans_and_resume(binary, dev, dev_scan, tmp_path):
    out = tmp_path / "records"
    log = submit("--out", out, "--partitions", "6", dev)
    assert f"{len(dev_scan)} records written by this run" in log
    shards = sorted(out.glob("shard-*.jsonl"))
    assert len(shards) == 6
    # Slices in listing order: the shards, in order, are the scan's journal.
    assert shard_records(out) == dev_scan

    # A re-run skips the finished shards; a lost shard is made again.
    assert "0 records written by this run" in submit("--out", out, "--partitions", "6", dev)
    lost = len(records(shards[2].read_text()))
    shards[2].unlink()
    assert f"{lost} records written by this run" in submit("--out", out, "--partitions", "6", dev)
    assert shard_records(out) == dev_scan

    merged = cli(binary, "report", "--format", "jsonl", *shards)
    assert records(merged.stdout) == dev_scan
    html = tmp_path / "report.html"
    cli(binary, "report", "--format", "html", "-o", html, *shards)
    assert html.read_text().count("<tr data-verdict=") == len(dev_scan)


def test_a_listing_and_bytes_read_in_the_executor(dev_scan, tmp_path):
    paths = [r["path"] for r in dev_scan[::20]]
    listing = tmp_path / "listing.txt"
    listing.write_text("\n".join(paths) + "\n")
    out = tmp_path / "records"
    submit("--out", out, "--listing", listing, "--from-bytes", "--partitions", "2")
    got = shard_records(out)
    by_path = {r["path"]: r for r in dev_scan}
    assert [r["path"] for r in got] == paths
    for r in got:
        assert r["modified_ns"] is None
        for key in ("verdict", "synthetic_probability", "decision", "hashes", "size"):
            assert r[key] == by_path[r["path"]][key], key
