"""The token on a badge is one line, in a monospaced font.

The tester's finding: the printed token wrapped at a ``-`` of the guest's id
(``PB1:kz-leader:U7jSbJEXhx-`` / ``AFidVAOh1KQ``), which a steward typing it
cannot tell from a ``-`` of the token, and its small proportional font made
``l``, ``1``, ``I`` and ``O``, ``0`` look alike. The token is worked out here
by hand from its definition (docs/papers.md), as tests/reports/test_badges.py does.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from pathlib import Path

import pypdf
import pytest

from tests.conftest import Run

KEY_HEX = "22" * 32
EVENT = "Parade"
#: The longest id a guest may have (80 characters), with a '-' every few letters.
LONG_ID = ("kz-leader-" * 8)[:80]


def token_by_hand(guest: str) -> str:
    mac = hmac.new(bytes.fromhex(KEY_HEX), b"paradeops-badge-v1\0" + EVENT.encode() + b"\0"
                   + guest.encode(), hashlib.sha256).digest()[:16]  # fmt: skip
    return f"PB1:{guest}:" + base64.urlsafe_b64encode(mac).decode().rstrip("=")


def test_the_token_reads_back_on_one_line_in_a_monospaced_font(
    cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARADEOPS_BADGE_KEY", KEY_HEX)
    ids = ["kz-leader", "uz-leader", "a-b-c-d-e-f-g-h", LONG_ID]
    guests = "".join(
        f"  - {{id: {gid}, name: Guest {k}, country: FR}}\n" for k, gid in enumerate(ids)
    )
    book = tmp_path / "guests.yaml"
    book.write_text(f"version: 1\nevent: {EVENT}\nhost_country: FR\nguests:\n{guests}")
    out = tmp_path / "badges.pdf"
    r = cli("print", book, "--what", "badges", "-o", out)
    assert r.code == 0, r.err
    page = pypdf.PdfReader(out).pages[0]
    lines = [line.strip() for line in page.extract_text().splitlines()]
    for gid in ids:
        assert token_by_hand(gid) in lines, (gid, [x for x in lines if "PB1" in x])
    fonts = {
        str(f.get_object()["/BaseFont"]).split("+")[-1]
        for f in page["/Resources"]["/Font"].values()
    }
    assert "DejaVuSansMono" in fonts, fonts
    # Every token drawn in it, and nothing else is: the tokens are the only text in it.
    mono_text: list[str] = []

    def visit(text: str, cm: object, tm: object, font: object, size: object) -> None:
        if font is not None and "DejaVuSansMono" in str(font.get("/BaseFont")):  # type: ignore[attr-defined]
            mono_text.append(text)

    page.extract_text(visitor_text=visit)
    joined = "".join("".join(mono_text).split())
    assert joined == "".join(token_by_hand(gid) for gid in ids)
