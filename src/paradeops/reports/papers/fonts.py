"""Which fonts the papers need, and where Debian puts them (pure: no file is read here).

Typst embeds its own fonts (Libertinus Serif, New Computer Modern, DejaVu
Sans Mono): Latin and Cyrillic always print. Arabic and CJK need fonts of the
operating system, the Noto families of Debian's ``fonts-noto-core`` and
``fonts-noto-cjk`` (the ones the charts use, which ``scripts/setup`` installs
as root). The command-line adapter checks which of :data:`FONTS` exist, hands
their folders to Typst, and refuses (exit 2, naming the package) a document
whose text needs a script none of them covers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["EMBEDDED_FAMILY", "FONTS", "SCRIPT_RANGES", "Font", "scripts_in"]


@dataclass(frozen=True)
class Font:
    family: str
    #: A file of the family (its folder is what Typst searches).
    file: Path
    #: The Debian package that installs it.
    package: str
    #: The scripts it is needed for ("" for Latin and Cyrillic: an embedded font covers them).
    script: str


#: In order of preference: a glyph comes from the first family that has it.
FONTS = (
    Font("Noto Sans", Path("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"),
         "fonts-noto-core", ""),
    Font("Noto Sans Arabic", Path("/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf"),
         "fonts-noto-core", "Arabic"),
    Font("Noto Sans CJK SC", Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
         "fonts-noto-cjk", "CJK"),
)  # fmt: skip

#: Embedded in Typst: Latin, Greek and Cyrillic, used when Noto Sans is missing.
EMBEDDED_FAMILY = "Libertinus Serif"

#: Code point ranges of the scripts that need a font of the system.
SCRIPT_RANGES: dict[str, tuple[tuple[int, int], ...]] = {
    "Arabic": ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF),
               (0xFE70, 0xFEFF)),
    "CJK": ((0x2E80, 0x2FDF), (0x3000, 0x30FF), (0x3130, 0x318F), (0x31F0, 0x31FF),
            (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xAC00, 0xD7AF), (0xF900, 0xFAFF),
            (0xFF00, 0xFFEF), (0x20000, 0x3134F)),
}  # fmt: skip


def scripts_in(text: str) -> set[str]:
    """The scripts of :data:`SCRIPT_RANGES` that ``text`` has characters of."""
    found: set[str] = set()
    for ch in set(text):
        code = ord(ch)
        if code < 0x0600:
            continue  # Latin, Greek, Cyrillic: the common case, decided at once
        for script, ranges in SCRIPT_RANGES.items():
            if any(lo <= code <= hi for lo, hi in ranges):
                found.add(script)
    return found
