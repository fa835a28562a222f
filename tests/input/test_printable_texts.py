"""The rule for texts of input files, as properties: printable text in any script
passes, a control or direction-override character anywhere is named."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from paradeops.model.checks import text_issues
from paradeops.model.input_types import control_character

# Letters, marks, digits, punctuation, symbols and spaces of every script, and
# the joiners and direction marks (Cf) that Arabic, Indic and emoji spellings use.
PRINTABLE = st.text(
    st.characters(categories=("L", "M", "N", "P", "S", "Zs"))
    | st.sampled_from("\u200c\u200d\u200e\u200f\t\n")
)
FORBIDDEN = st.sampled_from(
    [chr(c) for c in [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)]]
    + [chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]]
)


@given(PRINTABLE)
def test_printable_text_passes(text: str) -> None:
    assert control_character(text) is None


@given(PRINTABLE, FORBIDDEN, PRINTABLE)
def test_a_forbidden_character_is_named_where_it_is(before: str, bad: str, after: str) -> None:
    text = before + bad + after
    found = control_character(text)
    assert found is not None
    # The first forbidden character is `bad` (the rest is printable).
    assert f"(U+{ord(bad):04X}) at character {len(before) + 1}" in found


def test_every_text_of_a_document_is_checked_in_file_order() -> None:
    doc = {
        "parade": {"name": "ok", "window_name": "TV\x1b[8m"},
        "units": [{"id": "a", "name": "Box\r"}, {"id": "b", "note": ["x", "\u202eevil"]}],
        "simulation": {"units": {"key\x07": {}}},
    }
    assert [(loc, msg.split(":")[0]) for loc, msg, _ in text_issues(doc)] == [
        (("parade", "window_name"), "contains a control character (U+001B) at character 3"),
        (("units", 0, "name"), "contains a control character (U+000D) at character 4"),
        (("units", 1, "note", 1), "contains a direction override (U+202E) at character 1"),
        (
            ("simulation", "units"),
            "the key 'key\\x07' contains a control character (U+0007) at character 4",
        ),
    ]
