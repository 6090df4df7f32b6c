"""Compressed NDJSON and JSON files: the suffixes carenav reads and writes, one place for the codecs.

gzip is what FHIR bulk exports usually carry; zstd decompresses about twice as fast for a smaller
file (pyarrow's codec, so no extra dependency). No Django: the synth and analytics packages use it.
"""

import gzip
import io
import zlib
from typing import IO

import pyarrow as pa

Stream = IO[bytes] | io.BufferedIOBase

# What a damaged or truncated compressed file raises while it is read.
DECOMPRESSION_ERRORS = (OSError, EOFError, zlib.error)
CODECS = {".gz": "gzip", ".zst": "zstd"}  # file suffix → codec
GZIP_LEVEL = 3  # ~6x smaller than plain NDJSON at a fraction of the default level's cost


def suffix(codec: str | None) -> str:
    """The file-name suffix of a codec ("" for none); an unknown codec is a ValueError."""
    if codec is None:
        return ""
    for name, known in CODECS.items():
        if known == codec:
            return name
    raise ValueError(f"unknown compression {codec!r}; choose from {sorted(CODECS.values())}")


def reading(raw: IO[bytes], name: str) -> Stream:
    """A buffered, decompressed stream over `raw`, by the file name's suffix."""
    codec = CODECS.get("." + name.rsplit(".", 1)[-1])
    if codec == "gzip":
        return gzip.GzipFile(fileobj=raw)
    if codec == "zstd":
        # A small buffer: when a stream breaks off, the lines decoded into the buffer are lost with it.
        return io.BufferedReader(pa.CompressedInputStream(raw, "zstd"), 1 << 16)  # type: ignore[arg-type]
    return raw


def writing(raw: IO[bytes], codec: str | None) -> Stream:
    """A compressing stream over `raw`; the same input gives byte-identical output (gzip: mtime 0)."""
    if codec == "gzip":
        return gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=GZIP_LEVEL)
    if codec == "zstd":
        return pa.CompressedOutputStream(raw, "zstd")  # type: ignore[return-value]
    suffix(codec)  # an unknown codec raises
    return raw
