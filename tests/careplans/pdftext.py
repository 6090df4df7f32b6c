"""Text out of an uncompressed fpdf2 PDF, decoding each font's glyph ids through its ToUnicode CMap.

Enough for asserting what a generated patient copy says, without a PDF library dependency.
"""

from __future__ import annotations

import re

ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _unescape(raw: bytes) -> bytes:
    out, i = bytearray(), 0
    while i < len(raw):
        if raw[i] == 0x5C:  # backslash
            octal = re.match(rb"[0-7]{1,3}", raw[i + 1 : i + 4])
            if octal:
                out.append(int(octal.group(0), 8))
                i += 1 + len(octal.group(0))
                continue
            nxt = raw[i + 1 : i + 2]
            out += ESCAPES.get(nxt, nxt)
            i += 2
            continue
        out.append(raw[i])
        i += 1
    return bytes(out)


def _cmap(stream: bytes) -> dict[int, str]:
    cmap: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", stream, re.S):
        for cid, uni in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            cmap[int(cid, 16)] = bytes.fromhex(uni.decode()).decode("utf-16-be")
    return cmap


def extract_text(pdf: bytes) -> str:
    objects = {int(n): body for n, body in re.findall(rb"(\d+) 0 obj(.*?)endobj", pdf, re.S)}
    font_cmaps: dict[bytes, dict[int, str]] = {}
    for body in objects.values():
        for name, obj in re.findall(rb"/(F\d+) (\d+) 0 R", body):
            to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", objects[int(obj)])
            if to_unicode:
                font_cmaps[name] = _cmap(objects[int(to_unicode.group(1))])
    lines: list[str] = []
    font: dict[int, str] = {}
    token = re.compile(rb"/(F\d+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\)|(ET)", re.S)
    for body in objects.values():
        if b"stream" not in body or b"BT" not in body:
            continue
        line = ""
        for name, string, end in token.findall(body):
            if name:
                font = font_cmaps.get(name, {})
            elif end:
                if line:
                    lines.append(line)
                line = ""
            else:
                raw = _unescape(string)
                line += "".join(
                    font.get(int.from_bytes(raw[i : i + 2], "big"), "") for i in range(0, len(raw) - 1, 2)
                )
    return "\n".join(lines)
