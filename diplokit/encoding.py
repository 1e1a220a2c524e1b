"""Turn raw bytes from the web into text: BOM sniffing, fallbacks and mojibake repair."""
from __future__ import annotations

import codecs
from dataclasses import dataclass


# Bytes in cp1252's undefined slots; if present, cp1252 fails and latin-1 takes over.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class NotTextError(ValueError):
    """Raised when bytes look like a binary file rather than text."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    repaired: bool  # ftfy changed something (mojibake, odd quotes)


def _sniff_utf16_without_bom(head: bytes) -> str | None:
    # ASCII-heavy UTF-16 without a BOM has NUL in every other byte.
    if len(head) < 4:
        return None
    even = head[0::2].count(0) / max(1, len(head[0::2]))
    odd = head[1::2].count(0) / max(1, len(head[1::2]))
    if odd > 0.4 and even < 0.05:
        return "utf-16-le"
    if even > 0.4 and odd < 0.05:
        return "utf-16-be"
    return None


def looks_binary(data: bytes) -> bool:
    """True when the first 8 KB contain NUL bytes or many control characters."""
    head = data[:8192]
    if not head:
        return False
    if any(head.startswith(bom) for bom, _ in _BOMS) or _sniff_utf16_without_bom(head):
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return controls / len(head) > 0.05


def decode_bytes(data: bytes) -> Decoded:
    """Decode bytes of unknown encoding and repair mojibake.

    Order: BOM (UTF-8/16/32), BOM-less UTF-16, strict UTF-8, cp1252, latin-1.
    ftfy then undoes double-encoding such as "TouadÃ©ra" -> "Touadéra".
    Raises NotTextError for binary data.
    """
    if looks_binary(data):
        raise NotTextError("binary file (contains NUL or control bytes), not text")
    encoding = None
    for bom, name in _BOMS:
        if data.startswith(bom):
            encoding = name
            break
    if encoding is None:
        encoding = _sniff_utf16_without_bom(data[:8192])
    candidates = [encoding] if encoding else ["utf-8", "cp1252", "latin-1"]
    text = None
    for name in candidates:
        try:
            text = data.decode(name)
            encoding = name
            break
        except UnicodeDecodeError:
            continue
    if text is None:  # a BOM that lies about the rest of the file
        text, encoding = data.decode("latin-1"), "latin-1"
    return fix_text(text, encoding)


def fix_text(text: str, encoding: str = "str") -> Decoded:
    """Apply ftfy's mojibake repair, keeping newlines and quotes as they are."""
    import ftfy  # imported here: only texts that look damaged get this far, and it is slow to import

    fixed = ftfy.fix_text(
        text,
        uncurl_quotes=False,
        fix_line_breaks=True,
        normalization="NFC",
        fix_latin_ligatures=False,
        fix_character_width=False,
    )
    return Decoded(fixed, encoding, fixed != text)
