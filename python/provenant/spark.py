"""provenant on Apache Spark: a collection analysed by ``mapPartitions``,
one :class:`provenant.Analyzer` per partition, the records written as JSONL
shards that ``provenant report`` merges into the usual reports.

    spark-submit --master local[2] python/provenant/spark.py \\
        --out /shared/case-42/records /shared/case-42/evidence
    provenant report --format html -o /shared/case-42/report.html \\
        /shared/case-42/records/shard-*.jsonl

Inputs are folders (walked on the driver as ``provenant scan`` walks them)
or, with ``--listing FILE``, one path per line (any path Spark can read:
local, HDFS, S3). Paths are cut in order into ``--partitions`` slices;
partition *i* writes ``OUT/shard-<i>.jsonl`` under a temporary name and
renames it when complete, so a shard is whole or absent. A re-run with the
same inputs and partitions skips the shards that exist: a partition's
output is idempotent, and an interrupted job resumes where it stopped.
``OUT`` must be a folder every executor can write (a shared file system).

``--from-bytes`` reads each file's bytes in the executor and analyses them
in memory: with a URI (``hdfs://``, ``s3://``, ...) through ``pyarrow.fs``
(install ``pyarrow``), else with ``open``. Records of bytes carry no
modification time.

See docs/SCALING.md for clusters (standalone, YARN, Kubernetes).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Iterable, Iterator, List, Optional, Tuple

import provenant

SHARD = "shard-{:05d}.jsonl"


def _read_bytes(path: str) -> bytes:
    if "://" in path:
        from pyarrow import fs  # only for URIs

        filesystem, inner = fs.FileSystem.from_uri(path)
        with filesystem.open_input_stream(inner) as f:
            return f.read()
    with open(path, "rb") as f:
        return f.read()


def _record(analyzer: provenant.Analyzer, path: str, from_bytes: bool) -> str:
    if not from_bytes:
        return analyzer.record_json(path)
    try:
        data = _read_bytes(path)
    except OSError:
        # The record then carries the read error, as a scan's does.
        return analyzer.record_json(path)
    return analyzer.analyze_json(data, name=path)


def analyse_partition(
    index: int,
    paths: Iterable[str],
    out: str,
    from_bytes: bool = False,
    config: Optional[dict] = None,
) -> Iterator[Tuple[int, int]]:
    """Writes the records of one partition's ``paths`` to its shard in
    ``out``, unless the shard exists; yields ``(index, records written)``
    (0 for a shard already there)."""
    shard = os.path.join(out, SHARD.format(index))
    if os.path.exists(shard):
        yield index, 0
        return
    analyzer = provenant.Analyzer(config)
    tmp = f"{shard}.tmp-{os.getpid()}"
    written = 0
    with open(tmp, "w", encoding="utf-8") as f:
        for path in paths:
            f.write(_record(analyzer, path, from_bytes))
            f.write("\n")
            written += 1
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, shard)
    yield index, written


def listing(spark, roots: List[str], listing_file: Optional[str]) -> List[str]:
    """The paths to analyse, in order: a listing's lines, or the images
    under ``roots``."""
    if listing_file:
        lines = spark.sparkContext.textFile(listing_file).collect()
        return [line.rstrip("\r") for line in lines if line.strip()]
    return provenant.walk(roots)


def run(spark, paths: List[str], out: str, partitions: int, from_bytes: bool = False) -> int:
    """Analyses ``paths`` in ``partitions`` slices into shards in ``out``;
    returns the records written by this run."""
    os.makedirs(out, exist_ok=True)
    partitions = max(1, min(partitions, len(paths) or 1))
    rdd = spark.sparkContext.parallelize(paths, partitions)
    done = rdd.mapPartitionsWithIndex(
        lambda i, part: analyse_partition(i, part, out, from_bytes)
    ).collect()
    return sum(n for _, n in done)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="provenant.spark", description=__doc__.split("\n\n")[0])
    parser.add_argument("roots", nargs="*", help="folders or files to analyse")
    parser.add_argument("--listing", help="a file of paths, one per line, instead of roots")
    parser.add_argument("--out", required=True, help="folder of the JSONL shards (shared by all executors)")
    parser.add_argument("--partitions", type=int, default=0, help="slices of the listing (default: Spark's default parallelism x 4)")
    parser.add_argument("--from-bytes", action="store_true", help="read the bytes in the executor and analyse them in memory")
    args = parser.parse_args(argv)
    if not args.roots and not args.listing:
        parser.error("give folders or files, or --listing")

    from pyspark.sql import SparkSession

    spark = SparkSession.builder.appName("provenant").getOrCreate()
    try:
        paths = listing(spark, args.roots, args.listing)
        partitions = args.partitions or 4 * spark.sparkContext.defaultParallelism
        written = run(spark, paths, args.out, partitions, args.from_bytes)
        print(
            f"provenant.spark: {len(paths)} files in {min(partitions, max(len(paths), 1))} shards under {args.out}; "
            f"{written} records written by this run",
            file=sys.stderr,
        )
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
