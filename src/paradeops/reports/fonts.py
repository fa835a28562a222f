"""Fonts for every chart: Latin, Cyrillic, Arabic and CJK, with fallbacks.

Matplotlib (3.11 and later) picks each glyph from the first family in
``font.family`` that has it, and shapes text with libraqm, so Arabic comes out
joined and right to left. The Noto families cover the scripts parades are
named in; ``scripts/setup`` installs them (Debian's ``fonts-noto-core`` and
``fonts-noto-cjk``) when it runs as root and they are missing. Without them a
chart still renders, in DejaVu Sans (matplotlib ships it: Latin, Cyrillic,
Arabic), with CJK glyphs drawn as Last Resort boxes and no warning.

Call :func:`use_chart_fonts` before building a figure. It changes process-wide
matplotlib settings, once and always to the same values, so charts drawn in
several threads of a web server see one configuration.
"""

from __future__ import annotations

import functools
import warnings
from pathlib import Path

import matplotlib as mpl
from matplotlib import font_manager

__all__ = [
    "FALLBACK_FAMILY",
    "FONT_FILES",
    "MIN_PT",
    "PREFERRED_FAMILIES",
    "chart_families",
    "use_chart_fonts",
]

#: No text on a chart is smaller than this at the saved size [pt].
MIN_PT = 7.0

#: In order of preference: a glyph comes from the first family that has it.
#: Simplified Chinese before Japanese: both cover kana and the common
#: ideographs; the order only picks the regional glyph shapes.
PREFERRED_FAMILIES = ("Noto Sans", "Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans Arabic")

#: Ships with matplotlib, so always there; it also has ✈, ≤ and ◆, which Noto Sans lacks.
FALLBACK_FAMILY = "DejaVu Sans"

#: Where Debian's font packages put the files. Registered by path, because
#: matplotlib's font cache does not see fonts installed after it was built.
FONT_FILES = tuple(
    Path(folder) / name
    for folder, names in (
        (
            "/usr/share/fonts/truetype/noto",
            ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "NotoSansArabic-Regular.ttf",
             "NotoSansArabic-Bold.ttf"),
        ),
        ("/usr/share/fonts/opentype/noto", ("NotoSansCJK-Regular.ttc", "NotoSansCJK-Bold.ttc")),
    )
    for name in names
)  # fmt: skip


def _register_installed_fonts() -> None:
    known = {Path(f.fname) for f in font_manager.fontManager.ttflist}
    for path in FONT_FILES:
        if path.is_file() and path not in known:
            font_manager.fontManager.addfont(str(path))


def chart_families() -> list[str]:
    """The families charts use, preferred first; only installed ones.

    A family that is not installed is left out rather than named: matplotlib
    would log "findfont: Font family ... not found" to stderr for it.
    """
    _register_installed_fonts()
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return [f for f in PREFERRED_FAMILIES if f in installed] + [FALLBACK_FAMILY]


@functools.cache
def use_chart_fonts() -> tuple[str, ...]:
    """Configure matplotlib's fonts for charts (once); returns the families in use."""
    families = chart_families()
    mpl.rcParams["font.family"] = families
    # With a script's font missing, matplotlib warns once per glyph (with a
    # source path). The chart says nothing better than boxes would, and the
    # README says which package adds the font: the warning is noise here.
    warnings.filterwarnings(
        "ignore", message=r"Glyph \d+ .* missing from font", category=UserWarning
    )
    return tuple(families)
