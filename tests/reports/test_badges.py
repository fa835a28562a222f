"""``paradeops print GUESTS --what badges``: names read back (pypdf), the QR code read back
from a rendered page and compared with the token worked out here with hmac, bad input.

The token is worked by hand from its definition (docs/papers.md): ``PB1:<id>:<tag>``, the
tag the first 16 bytes of HMAC-SHA256 over ``paradeops-badge-v1 NUL event NUL id`` in
unpadded base64url.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from pathlib import Path

import pypdf
import pypdfium2
import pytest
import segno

from paradeops.reports.papers.fonts import FONTS
from tests.conftest import EXAMPLES, Run

VICTORY_GUESTS = EXAMPLES / "victory-day-2025" / "guests.yaml"
KEY_HEX = "11" * 32
EVENT = "Victory Day Parade 2025, Red Square"


def token_by_hand(key: bytes, event: str, guest: str) -> str:
    mac = hmac.new(key, b"paradeops-badge-v1\0" + event.encode() + b"\0" + guest.encode(),
                   hashlib.sha256).digest()[:16]  # fmt: skip
    return f"PB1:{guest}:" + base64.urlsafe_b64encode(mac).decode().rstrip("=")


def squeezed(path: Path) -> str:
    """Every page's text with all whitespace removed (a token wraps at its ``-``)."""
    return "".join("".join(p.extract_text().split()) for p in pypdf.PdfReader(path).pages)


def flat(path: Path) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(path).pages)


@pytest.fixture(autouse=True)
def badge_key(monkeypatch: pytest.MonkeyPatch) -> bytes:
    monkeypatch.setenv("PARADEOPS_BADGE_KEY", KEY_HEX)
    return bytes.fromhex(KEY_HEX)


def book(tmp_path: Path, guests: list[tuple[str, str]], events: str = "", event: str = "Parade"
         ) -> Path:  # fmt: skip
    lines = "".join(
        f"  - {{id: {gid}, name: '{name.replace(chr(39), chr(39) * 2)}', country: FR}}\n"
        for gid, name in guests
    )
    path = tmp_path / "guests.yaml"
    path.write_text(
        f"version: 1\nevent: '{event}'\nhost_country: FR\nguests:\n{lines}"
        + (f"events:\n{events}" if events else ""),
        encoding="utf-8",
    )
    return path


def test_victory_day_every_expected_guest_and_no_cancelled_one(
    cli: Run, tmp_path: Path, artefacts: Path
) -> None:
    """44 guests, Laos and Azerbaijan cancelled on 6 May: 42 badges, 8 a page, 6 pages."""
    out = tmp_path / "badges.pdf"
    r = cli("print", VICTORY_GUESTS, "--what", "badges", "-o", out)
    assert r.code == 0, r.err
    from paradeops.io.guestfiles import load_guests

    guests = load_guests(VICTORY_GUESTS).guests
    text = flat(out)
    cancelled = {"la-president": "Thongloun Sisoulith", "az-president": "Ilham Aliyev"}
    for g in guests:
        if g.id not in cancelled:
            assert " ".join(g.name.split()) in text, g.name
    assert not any(name in text for name in cancelled.values())
    assert len(pypdf.PdfReader(out).pages) == 6
    tokens = squeezed(out)
    assert token_by_hand(bytes.fromhex(KEY_HEX), EVENT, "ru-president") in tokens
    assert "PB1:la-president:" not in tokens
    render(out, artefacts / "victory-badges.png", dpi=100)


def render(pdf: Path, png: Path, dpi: int) -> list[list[bool]]:
    """Page 1 at ``dpi`` to ``png``; its pixels, True where dark."""
    doc = pypdfium2.PdfDocument(pdf)
    try:
        image = doc[0].render(scale=dpi / 72).to_pil().convert("L")
    finally:
        doc.close()
    image.save(png)
    w, h = image.size
    data = image.tobytes()
    return [[data[y * w + x] < 128 for x in range(w)] for y in range(h)]


def read_qr(dark: list[list[bool]], size: int, dpi: int, side_mm: float) -> list[list[bool]]:
    """The modules of the one QR code in the top half of the page, sampled at their centres.

    Nothing dark lies right of the code on a page of one badge (the card's dashed edge is
    light grey), so its right edge is the rightmost dark column; its top the first dark
    row there (the top-right finder pattern).
    """
    half = dark[: len(dark) // 2]
    right = max(x for row in half for x, d in enumerate(row) if d)
    top = min(y for y, row in enumerate(half) if row[right])
    side = side_mm / 25.4 * dpi
    left, module = right + 1 - side, side / size
    return [[half[round(top + (j + 0.5) * module)][round(left + (i + 0.5) * module)]
             for i in range(size)] for j in range(size)]  # fmt: skip


def test_the_printed_qr_code_is_the_token(cli: Run, tmp_path: Path, artefacts: Path) -> None:
    path = book(tmp_path, [("g-1", "Marianne Dupont")])
    out = tmp_path / "one.pdf"
    r = cli("print", path, "--what", "badges", "-o", out)
    assert r.code == 0, r.err
    token = token_by_hand(bytes.fromhex(KEY_HEX), "Parade", "g-1")
    assert token in squeezed(out)
    expected = segno.make(token, error="m", micro=False, boost_error=False)
    size = len(expected.matrix)
    dpi = 600
    printed = read_qr(render(out, artefacts / "one-badge.png", dpi), size, dpi, 32)
    assert printed == [[bool(m) for m in row] for row in expected.matrix]


def test_a_declined_guest_gets_none_and_an_invited_one_does(cli: Run, tmp_path: Path) -> None:
    events = (
        "  - {guest: a, at: 2025-04-01, kind: invited}\n"
        "  - {guest: b, at: 2025-04-01, kind: invited}\n"
        "  - {guest: b, at: 2025-04-02, kind: declined}\n"
    )
    path = book(tmp_path, [("a", "Anne Invited"), ("b", "Bruno Declined"), ("c", "Chloe Listed")],
                events)  # fmt: skip
    out = tmp_path / "b.pdf"
    assert cli("print", path, "--what", "badges", "-o", out).code == 0
    text = flat(out)
    assert "Anne Invited" in text and "Chloe Listed" in text and "Bruno Declined" not in text


HOSTILE = ['#read("/etc/passwd")', "*not bold* $x^2$ <label> @ref", "Парадный Гость"]


def test_hostile_names_print_literally(cli: Run, tmp_path: Path) -> None:
    path = book(tmp_path, [(f"h{k}", n) for k, n in enumerate(HOSTILE)], event='#set page("a5")')
    out = tmp_path / "h.pdf"
    r = cli("print", path, "--what", "badges", "--paper", "letter", "-o", out)
    assert r.code == 0, r.err
    text = squeezed(out)  # a long name wraps, at a space or after a slash
    assert all("".join(name.split()) in text for name in HOSTILE) and "root:" not in text
    assert '#setpage("a5")' in text
    box = pypdf.PdfReader(out).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)  # Letter


def test_arabic_and_cjk_names(cli: Run, tmp_path: Path, artefacts: Path) -> None:
    if not all(f.file.is_file() for f in FONTS):
        pytest.skip("Noto fonts not installed (scripts/setup installs them as root)")
    path = book(tmp_path, [("zh", "习近平"), ("ar", "عبد الفتاح السيسي")])
    out = tmp_path / "m.pdf"
    assert cli("print", path, "--what", "badges", "-o", out).code == 0
    assert "习近平" in flat(out)
    doc = pypdfium2.PdfDocument(out)
    try:
        words = set(doc[0].get_textpage().get_text_range().split())
    finally:
        doc.close()
    assert {"عبد", "الفتاح", "السيسي"} <= words
    render(out, artefacts / "multilingual-badges.png", dpi=100)


# --- bad input: located, exit 2, nothing written ------------------------------------


def test_unknown_what_is_refused(cli: Run, tmp_path: Path) -> None:
    out = tmp_path / "x.pdf"
    r = cli("print", VICTORY_GUESTS, "--what", "badge", "-o", out)
    assert r.code == 2 and "--what" in r.err and "badges" in r.err
    assert not out.exists()


def test_a_bad_guest_file_is_located(cli: Run, tmp_path: Path) -> None:
    path = book(tmp_path, [("a", "Anne")], "  - {guest: nobody, at: 2025-04-01, kind: invited}\n")
    out = tmp_path / "x.pdf"
    r = cli("print", path, "--what", "badges", "-o", out)
    assert r.code == 2 and "guests.yaml:" in r.err and "nobody" in r.err
    assert "Traceback" not in r.err and not out.exists()


def test_a_plan_is_not_a_guest_file(cli: Run, tmp_path: Path) -> None:
    out = tmp_path / "x.pdf"
    r = cli("print", EXAMPLES / "victory-day-2025" / "plan.yaml", "--what", "badges", "-o", out)
    assert r.code == 2 and "plan.yaml" in r.err and "Traceback" not in r.err
    assert not out.exists()


def test_missing_key_says_how_to_make_one(
    cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PARADEOPS_BADGE_KEY")
    out = tmp_path / "x.pdf"
    key = tmp_path / "none.badge.key"
    r = cli("print", VICTORY_GUESTS, "--what", "badges", "-o", out, "--badge-key-file", key)
    assert r.code == 2 and "no badge key" in r.err and "secret rotate --badge" in r.err
    assert not out.exists()


def test_a_key_file_others_may_read_is_refused(
    cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PARADEOPS_BADGE_KEY")
    key = tmp_path / "p.badge.key"
    key.write_text(KEY_HEX + "\n")
    key.chmod(0o644)
    out = tmp_path / "x.pdf"
    r = cli("print", VICTORY_GUESTS, "--what", "badges", "-o", out, "--badge-key-file", key)
    assert r.code == 2 and "chmod 600" in r.err and not out.exists()
    key.chmod(0o600)
    r = cli("print", VICTORY_GUESTS, "--what", "badges", "-o", out, "--badge-key-file", key)
    assert r.code == 0, r.err
    assert token_by_hand(bytes.fromhex(KEY_HEX), EVENT, "ushakov") in squeezed(out)


# --- seats from `paradeops seat --format csv` ----------------------------------------


def test_a_seat_from_the_seating_csv(cli: Run, tmp_path: Path) -> None:
    path = book(tmp_path, [("g-1", "Marianne Dupont"), ("g-2", "Paul Martin")])
    seats = tmp_path / "seats.csv"
    # The columns `seat --format csv` writes, in its order; g-2 has no seat.
    seats.write_text("section,row,seat,honour,guest,name\ncentre,2,5,0,g-1,Marianne Dupont\n",
                     encoding="utf-8")  # fmt: skip
    out = tmp_path / "s.pdf"
    r = cli("print", path, "--what", "badges", "--seating", seats, "-o", out)
    assert r.code == 0, r.err
    text = flat(out)
    assert "Marianne Dupont other France Section centre, row 2, seat 5" in text
    assert "Paul Martin other France PB1:g-2:" in text


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("centre,2,5,nobody\n", "seats.csv:2: guest: unknown guest id 'nobody'"),
        ("centre,2,5,g-1\ncentre,2,6,g-1\n", "seats.csv:3: guest: guest 'g-1' is seated twice (also line 2)"),
        ("centre,,5,g-1\n", "seats.csv:2: row: is empty"),
    ],
    ids=["unknown", "twice", "empty"],
)  # fmt: skip
def test_a_bad_seating_is_located(cli: Run, tmp_path: Path, rows: str, message: str) -> None:
    path = book(tmp_path, [("g-1", "Marianne Dupont")])
    seats = tmp_path / "seats.csv"
    seats.write_text("section,row,seat,guest\n" + rows, encoding="utf-8")
    out = tmp_path / "s.pdf"
    r = cli("print", path, "--what", "badges", "--seating", seats, "-o", out)
    assert r.code == 2 and message in r.err, r.err
    assert not out.exists()


def test_a_seating_without_its_columns_is_refused(cli: Run, tmp_path: Path) -> None:
    path = book(tmp_path, [("g-1", "Marianne Dupont")])
    seats = tmp_path / "seats.csv"
    seats.write_text("guest,place\ng-1,A5\n", encoding="utf-8")
    out = tmp_path / "s.pdf"
    r = cli("print", path, "--what", "badges", "--seating", seats, "-o", out)
    assert r.code == 2 and "seats.csv" in r.err and "section" in r.err, r.err
    assert not out.exists()


def test_the_file_seat_writes_is_read_as_it_is(cli: Run, tmp_path: Path) -> None:
    """What ties the two commands: every seat `seat --format csv` gives reaches its badge."""
    pytest.importorskip("ortools")
    import csv

    seats = tmp_path / "seats.csv"
    tribunes = EXAMPLES / "victory-day-2025" / "tribunes.yaml"
    r = cli("seat", VICTORY_GUESTS, tribunes, "--format", "csv", "-o", seats)
    assert r.code == 0, r.err
    rows = list(csv.DictReader(seats.open(encoding="utf-8")))
    out = tmp_path / "s.pdf"
    r = cli("print", VICTORY_GUESTS, "--what", "badges", "--seating", seats, "-o", out)
    assert r.code == 0, r.err
    text = squeezed(out)
    assert len(rows) >= 30
    for row in rows:
        seat = f"Section{row['section']},row{row['row']},seat{row['seat']}"
        # On the guest's own badge: after the name, before the token printed under it.
        badge = text[text.index("".join(row["name"].split())) : text.index(f"PB1:{row['guest']}:")]
        assert seat in badge, row
