"""provenant: offline, explainable triage of camera photographs versus
AI-generated images, from Python.

Each record is a dict equal to the line ``provenant analyze --json`` (and
``provenant scan``'s journal) writes for the file: the verdict, the rule
that decided, the evidence of every signal and the errors.

    >>> import provenant
    >>> record = provenant.analyze("photo.jpg")
    >>> record["verdict"], record["decision"]["rule"]

An :class:`Analyzer` is built once (it loads the model and trust anchors)
and shared: it releases the GIL while it works, so threads analyse files in
parallel with one analyzer.
"""

from __future__ import annotations

import collections
import functools
import json
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, Iterable, Iterator, Mapping, Optional, Union

from . import _provenant
from ._provenant import (
    SCHEMA_VERSION,
    ConfigError,
    InputError,
    Model,
    ProvenantError,
    __version__,
)

__all__ = [
    "Analyzer",
    "ConfigError",
    "InputError",
    "Model",
    "ProvenantError",
    "SCHEMA_VERSION",
    "__version__",
    "analyze",
    "load_model",
    "scan_iter",
    "walk",
]

PathOrBytes = Union[str, "os.PathLike[str]", bytes, bytearray, memoryview]


def load_model(path: Union[str, "os.PathLike[str]"]) -> Model:
    """Loads a model written by ``provenant calibrate``."""
    return Model.load(os.fspath(path))


class Analyzer:
    """Analyses files or bytes with one configuration.

    ``config`` is a dict of the library's ``Config`` fields (``limits``,
    ``trust_anchors_path``, ``no_pixels``, ``strip``); missing ones take
    their defaults. ``model`` replaces the embedded model (a :class:`Model`
    or a path to one); ``use_model=False`` lets the rules alone decide.
    """

    def __init__(
        self,
        config: Optional[Mapping[str, Any]] = None,
        *,
        model: Union[Model, str, "os.PathLike[str]", None] = None,
        use_model: bool = True,
    ) -> None:
        if model is not None and not isinstance(model, Model):
            model = load_model(model)
        text = None if config is None else json.dumps(dict(config))
        self._inner = _provenant.Analyzer(text, model, use_model)

    @property
    def model_id(self) -> Optional[str]:
        """The identity of the model in use, as reports record it."""
        return self._inner.model_id

    @property
    def config(self) -> Dict[str, Any]:
        """The configuration in use."""
        return json.loads(self._inner.config_json())

    def analyze(self, path_or_bytes: PathOrBytes, *, name: Optional[str] = None) -> Dict[str, Any]:
        """The record of a file (a path) or of bytes (named ``name``).

        Raises :class:`InputError` for a path that is not a readable
        regular file, with the message ``provenant analyze`` prints.
        """
        return json.loads(self.analyze_json(path_or_bytes, name=name))

    def analyze_json(self, path_or_bytes: PathOrBytes, *, name: Optional[str] = None) -> str:
        """:meth:`analyze`'s record as its JSONL line (no newline)."""
        if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
            return self._inner.analyze_bytes(name or "<bytes>", bytes(path_or_bytes))
        return self._inner.analyze_path(os.fspath(path_or_bytes))

    def record_json(self, path: Union[str, "os.PathLike[str]"]) -> str:
        """The JSONL line of a file as ``provenant scan`` records it: a path
        that cannot be read gets a record carrying the error, not an
        exception."""
        return self._inner.analyze_path(os.fspath(path), False)


@functools.lru_cache(maxsize=4)
def _shared(config_json: Optional[str]) -> Analyzer:
    return Analyzer(None if config_json is None else json.loads(config_json))


def analyze(
    path_or_bytes: PathOrBytes,
    *,
    config: Optional[Mapping[str, Any]] = None,
    name: Optional[str] = None,
) -> Dict[str, Any]:
    """The record of one file or of bytes, with an analyzer kept for
    ``config`` (see :class:`Analyzer`)."""
    key = None if config is None else json.dumps(dict(config), sort_keys=True)
    return _shared(key).analyze(path_or_bytes, name=name)


def walk(
    roots: Iterable[Union[str, "os.PathLike[str]"]], *, follow_symlinks: bool = False
) -> list:
    """The image files under ``roots`` as ``provenant scan`` finds them:
    files as given, folders recursively in name order, images recognised by
    their first bytes."""
    return _provenant.walk([os.fspath(r) for r in roots], follow_symlinks)


def scan_iter(
    paths: Iterable[Union[str, "os.PathLike[str]"]],
    *,
    config: Optional[Mapping[str, Any]] = None,
    analyzer: Optional[Analyzer] = None,
    jobs: int = 1,
) -> Iterator[Dict[str, Any]]:
    """Yields the record of every image under ``paths`` (folders walked as
    ``provenant scan`` walks them), in order, as the scan's journal holds
    them: an unreadable file gets a record carrying its error. ``jobs``
    threads share one analyzer; at most ``4 * jobs`` records wait."""
    analyzer = analyzer or Analyzer(config)

    def files() -> Iterator[str]:
        for p in paths:
            p = os.fspath(p)
            if os.path.isdir(p):
                yield from walk([p])
            else:
                yield p

    if jobs <= 1:
        for f in files():
            yield json.loads(analyzer.record_json(f))
        return
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        pending: collections.deque = collections.deque()
        for f in files():
            pending.append(pool.submit(analyzer.record_json, f))
            if len(pending) >= 4 * jobs:
                yield json.loads(pending.popleft().result())
        while pending:
            yield json.loads(pending.popleft().result())
