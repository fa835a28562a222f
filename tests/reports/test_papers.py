"""``paradeops print``: the papers read back from the PDF (pypdf), pages rendered to PNG (pypdfium2).

Expected times are worked by hand where a test names one; elsewhere the
papers must show, in order of march, the times the timing engine gives
(itself checked by hand in tests/timing): what is tested here is that every
unit and its time reach the page, in order, and nothing else does.
"""

from __future__ import annotations

import re
from pathlib import Path

import pypdf
import pypdfium2
import pytest

from paradeops.io.planfile import load_plan
from paradeops.reports.papers.fonts import FONTS
from paradeops.reports.times import clock
from paradeops.timing.engine import schedule
from tests.conftest import EXAMPLES, Run, plan_text

VICTORY = EXAMPLES / "victory-day-2025" / "plan.yaml"
CITY = EXAMPLES / "city-parade" / "plan.yaml"
MULTILINGUAL = Path(__file__).parent / "data" / "multilingual-plan.yaml"

#: Page sizes in PostScript points: A4 is 210 × 297 mm, Letter 8.5 × 11 in.
A4_PT = (210 / 25.4 * 72, 297 / 25.4 * 72)
LETTER_PT = (8.5 * 72, 11 * 72)


def flat(text: str) -> str:
    """Text with every run of whitespace one space (a long name wraps in its cell)."""
    return " ".join(text.split())


def pdf_text(path: Path) -> list[str]:
    """The text of each page, flattened."""
    return [flat(page.extract_text()) for page in pypdf.PdfReader(path).pages]


def in_order(text: str, needles: list[str]) -> list[str]:
    """The needles not found in ``text`` one after the other (empty: all found, in order)."""
    missing, at = [], 0
    for needle in needles:
        found = text.find(needle, at)
        if found < 0:
            missing.append(needle)
        else:
            at = found + len(needle)
    return missing


def stand_times(plan: Path) -> list[tuple[str, str]]:
    """Each unit's name and the time its head passes the stand (a flypast: over its checkpoint)."""
    s = schedule(load_plan(plan))
    rows = []
    for u in s.units:
        p = u.at(s.reviewing.id)
        head = p.head if p is not None else float(u.heads[0])
        rows.append((u.name or u.id, clock(s, head)))
    return rows


def render_first_page(pdf: Path, png: Path) -> tuple[int, int]:
    """Render page 1 to ``png`` at 100 dpi; its size in pixels."""
    doc = pypdfium2.PdfDocument(pdf)
    try:
        image = doc[0].render(scale=100 / 72).to_pil()
        image.save(png)
        return image.size
    finally:
        doc.close()


@pytest.fixture(scope="module")
def victory_all(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every paper of the Victory Day example, in one PDF (compiled once for the module)."""
    from paradeops.cli import main

    out = tmp_path_factory.mktemp("papers") / "victory.pdf"
    with pytest.raises(SystemExit) as done:
        main(["-q", "print", str(VICTORY), "--what", "all", "-o", str(out)])
    assert done.value.code in (0, None)
    return out


def test_colour_guard_at_the_tribune_by_hand(cli: Run, tmp_path: Path) -> None:
    """Tribune 632.32 m from the start at 120 steps of 0.75 m a minute (1.5 m/s):
    421.5 s after 10:00:00, shown 10:07:02 (half up); its 3.3 m tail 2.2 s later."""
    out = tmp_path / "ros.pdf"
    r = cli("print", VICTORY, "--what", "run-of-show", "-o", out)
    assert r.code == 0, r.err
    text = pdf_text(out)[0]
    assert "1 10:07:02 10:07:04 Colour guard with the State Flag and the Banner of Victory" in text


@pytest.mark.parametrize("plan", [VICTORY, CITY], ids=["victory-day-2025", "city-parade"])
@pytest.mark.parametrize("what", ["run-of-show", "announcer"])
def test_every_unit_and_its_stand_time_in_order_of_march(
    cli: Run, tmp_path: Path, artefacts: Path, plan: Path, what: str
) -> None:
    out = tmp_path / f"{what}.pdf"
    r = cli("print", plan, "--what", what, "-o", out)
    assert r.code == 0, r.err
    text = " ".join(pdf_text(out))
    units = stand_times(plan)
    assert len(units) >= 40
    if what == "run-of-show":
        # A row: number, head at the stand, (tail), name.
        needles = [x for k, (name, head) in enumerate(units, 1) for x in (f"{k} {head}", name)]
    else:
        # A block: the time, then the number and the name.
        needles = [x for k, (name, head) in enumerate(units, 1) for x in (head, f"{k}. {name}")]
    assert in_order(text, needles) == []
    width, height = render_first_page(out, artefacts / f"{plan.parent.name}-{what}.png")
    # 100 dpi of 210 × 297 mm, give or take PDFium's rounding of a pixel.
    assert width == pytest.approx(827, abs=1) and height == pytest.approx(1169, abs=1)


def test_all_holds_every_paper_in_order(victory_all: Path) -> None:
    pages = pdf_text(victory_all)
    firsts = [p for p in pages if p.startswith(("Run of show", "Marshals", "Announcer", "Call"))]
    kinds = [p.split(" ")[0] for p in firsts]
    # One run of show, a marshals' sheet per checkpoint (5), one script, a call sheet per unit (44).
    assert kinds.count("Run") == 1 and kinds.count("Marshals") == 5
    assert kinds.count("Announcer's") == 1 and kinds.count("Call") == 44
    assert kinds.index("Run") < kinds.index("Marshals") < kinds.index("Announcer's")
    assert kinds.index("Announcer's") < kinds.index("Call")


def test_a_marshals_sheet_per_checkpoint(victory_all: Path) -> None:
    sheets = [p for p in pdf_text(victory_all) if p.startswith("Marshals")]
    names = [re.search(r"Checkpoint: (.+?), \d+ m from the start point", p) for p in sheets]
    assert [m.group(1) if m else None for m in names] == [
        "Assembly, Tverskaya / Manezhnaya approach",
        "Historical Museum (Resurrection Gate)",
        "Lenin Mausoleum tribune",
        "St Basil's Cathedral",
        "Vasilyevsky Spusk (release point)",
    ]
    # The start point: the colour guard steps off at 10:00:00, its 3.3 m at 1.5 m/s 2.2 s later.
    assert (
        "1 Colour guard with the State Flag and the Banner of Victory 10:00:00 10:00:02"
        in (sheets[0])
    )
    # Before the stand: a control point of the hold-and-release orders.
    assert "expect orders to hold a unit here" in sheets[1]
    assert "Order / note" in sheets[2]


def test_a_call_sheet_per_unit(victory_all: Path) -> None:
    sheets = [p for p in pdf_text(victory_all) if p.startswith("Call sheet")]
    first = sheets[0]
    assert first.startswith(
        "Call sheet 1: Colour guard with the State Flag and the Banner of Victory"
    )
    assert "Step off at Assembly, Tverskaya / Manezhnaya approach 10:00:00" in first
    assert "Unit ahead none: you lead the parade" in first
    assert "Unit behind Drummers of the Moscow Military Music School" in first
    # No assembly plan: no call time, no area (not an empty line for them).
    assert "Call time" not in first and "Assembly area" not in first
    assert "Lenin Mausoleum tribune 632 m 10:07:02 10:07:04" in first


@pytest.mark.parametrize(("paper", "size"), [("a4", A4_PT), ("letter", LETTER_PT)])
def test_paper_size(cli: Run, tmp_path: Path, paper: str, size: tuple[float, float]) -> None:
    out = tmp_path / f"{paper}.pdf"
    r = cli("print", VICTORY, "--what", "marshals", "--paper", paper, "-o", out)
    assert r.code == 0, r.err
    pages = pypdf.PdfReader(out).pages
    for page in pages:
        box = page.mediabox
        assert float(box.width) == pytest.approx(size[0], abs=0.5)
        assert float(box.height) == pytest.approx(size[1], abs=0.5)


# --- hostile and multilingual names ------------------------------------------------

HOSTILE = [
    '#read("/etc/passwd")',
    "*not bold* _not emphasis_ $x^2$",
    "@ref <label> `raw` \\ back\\slash",
    "[bracket] // not a comment /* nor this */",
    '= Not a heading "quoted" -- ... ~',
    '#set page(paper: "a5")',
]
CYRILLIC = "Парадный расчёт Кремлёвского полка"


def hostile_plan(tmp_path: Path) -> Path:
    units = [*HOSTILE, CYRILLIC]
    lines = "".join(
        f"  - {{id: u{k}, name: '{name.replace(chr(39), chr(39) * 2)}', kind: foot, ranks: 2,"
        f" files: 2, rank_spacing_m: 1.0, speed_kmh: 3.6, description: '{name}'}}\n"
        for k, name in enumerate(units)
    )
    plan = tmp_path / "hostile.yaml"
    plan.write_text(
        "version: 1\n"
        "parade: {name: '#import \"x.typ\": *', date: 2025-05-09, timezone: Europe/Moscow,"
        " start: '10:00:00'}\n"
        "route:\n  checkpoints:\n"
        "    - {id: start, name: '$start$', at_m: 0}\n"
        "    - {id: tribune, name: '<tribune>', at_m: 180, reviewing: true}\n"
        "    - {id: release, at_m: 450}\n"
        "units:\n" + lines,
        encoding="utf-8",
    )
    return plan


def test_hostile_names_print_literally(cli: Run, tmp_path: Path) -> None:
    plan = hostile_plan(tmp_path)
    out = tmp_path / "hostile.pdf"
    r = cli("print", plan, "--what", "all", "-o", out)
    assert r.code == 0, r.err
    pages = pdf_text(out)
    text = " ".join(pages)
    assert in_order(text, [flat(n) for n in [*HOSTILE, CYRILLIC]]) == []
    assert "root:" not in text  # /etc/passwd was not read into the document
    assert '#import "x.typ": *' in text and "$start$" in text and "<tribune>" in text
    # A5 was not set: every page is A4.
    assert {round(float(p.mediabox.width)) for p in pypdf.PdfReader(out).pages} == {595}


def noto_installed() -> bool:
    return all(f.file.is_file() for f in FONTS)


def embedded_fonts(pdf: Path) -> set[str]:
    names = set()
    for page in pypdf.PdfReader(pdf).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return names


def test_chinese_japanese_and_arabic_names(cli: Run, tmp_path: Path, artefacts: Path) -> None:
    if not noto_installed():
        pytest.skip("Noto fonts not installed (scripts/setup installs them as root)")
    out = tmp_path / "multilingual.pdf"
    r = cli("print", MULTILINGUAL, "--what", "all", "-o", out)
    assert r.code == 0, r.err
    fonts = embedded_fonts(out)
    assert any(f.startswith("NotoSansCJK") for f in fonts), fonts
    assert any(f.startswith("NotoSansArabic") for f in fonts), fonts
    text = " ".join(pdf_text(out))
    # Typst sets a thin space between CJK and Latin letters or digits ("第 1 師団").
    assert (
        in_order(text, ["三军仪仗队", "陸上自衛隊", "军乐团", "式主战坦克", "10:20:00 歼-20 编队"])
        == []
    )
    # Arabic comes out of a PDF in visual order, whatever the tool: read it with
    # PDFium, which gives each word back whole, and look for the words.
    doc = pypdfium2.PdfDocument(out)
    try:
        first = doc[0].get_textpage().get_text_range()
    finally:
        doc.close()
    assert {"الحرس", "الجمهوري"} <= set(first.split())
    render_first_page(out, artefacts / "multilingual-run-of-show.png")


# --- bad input ----------------------------------------------------------------------


def test_unknown_paper_is_refused_and_nothing_written(cli: Run, tmp_path: Path) -> None:
    out = tmp_path / "x.pdf"
    r = cli("print", VICTORY, "--what", "posters", "-o", out)
    assert r.code == 2
    assert "--what" in r.err and "run-of-show" in r.err
    assert not out.exists()


def test_output_must_be_a_pdf(cli: Run, tmp_path: Path) -> None:
    out = tmp_path / "papers.txt"
    r = cli("print", VICTORY, "--what", "all", "-o", out)
    assert r.code == 2
    assert "--output" in r.err and ".pdf" in r.err
    assert "Traceback" not in r.err
    assert list(tmp_path.iterdir()) == []


def test_output_over_a_symbolic_link_is_refused(cli: Run, tmp_path: Path) -> None:
    target = tmp_path / "target.pdf"
    target.write_bytes(b"keep")
    link = tmp_path / "link.pdf"
    link.symlink_to(target)
    r = cli("print", VICTORY, "--what", "run-of-show", "-o", link)
    assert r.code == 2, r.err
    assert target.read_bytes() == b"keep"


def test_missing_font_names_the_package(
    cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A machine without the CJK font: the Debian package is named, nothing is written."""
    import paradeops.reports.papers.fonts as fonts

    gone = [f if f.script != "CJK" else type(f)(f.family, tmp_path / "no.ttc", f.package, f.script)
            for f in fonts.FONTS]  # fmt: skip
    monkeypatch.setattr(fonts, "FONTS", tuple(gone))
    out = tmp_path / "x.pdf"
    r = cli("print", MULTILINGUAL, "--what", "run-of-show", "-o", out)
    assert r.code == 2
    assert "CJK" in r.err and "fonts-noto-cjk" in r.err
    assert not out.exists()


def test_a_bad_plan_is_located(cli: Run, tmp_path: Path) -> None:
    plan = tmp_path / "bad.yaml"
    plan.write_text(
        plan_text("- {id: a, kind: foot, ranks: -3, rank_spacing_m: 1, speed_kmh: 5}\n"),
        encoding="utf-8",
    )
    r = cli("print", plan, "--what", "all", "-o", tmp_path / "x.pdf")
    assert r.code == 2
    assert "bad.yaml:" in r.err and "ranks" in r.err
    assert not (tmp_path / "x.pdf").exists()


def test_a_call_sheet_gives_the_call_and_the_area_of_an_assembly_plan(
    cli: Run, tmp_path: Path
) -> None:
    from tests.staging.support import three_floats

    # Float B steps off at 10:05:00; its yard is 300 s from the start point and
    # units are called 600 s before they must leave: leave 10:00:00, call 09:50:00.
    plan = tmp_path / "plan.yaml"
    plan.write_text(three_floats(form_up=600), encoding="utf-8")
    out = tmp_path / "units.pdf"
    r = cli("print", plan, "--what", "units", "-o", out)
    assert r.code == 0, r.err
    b = next(p for p in pdf_text(out) if p.startswith("Call sheet 2: Float B"))
    assert not in_order(
        b,
        ["Assembly area Depot yard", "Call time (be there by) 09:50:00",
         "Leave the area at 10:00:00", "Step off at start 10:05:00"],
    )  # fmt: skip


def test_a_bad_assembly_section_stops_the_papers(cli: Run, tmp_path: Path) -> None:
    from tests.staging.support import three_floats

    plan = tmp_path / "plan.yaml"
    plan.write_text(three_floats(capacity="capacity_m: 40"), encoding="utf-8")  # a is 50 m
    out = tmp_path / "units.pdf"
    r = cli("print", plan, "--what", "units", "-o", out)
    assert r.code == 2 and "area 'yard' (40 m) is too small" in r.err
    assert "Traceback" not in r.err and not out.exists()
