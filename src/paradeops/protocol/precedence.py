"""Order of precedence among guests, as used in diplomatic practice.

1. The host (``host: true``) comes first.
2. Then by category, in the order the rules list them (by default: heads of
   state, heads of government, ministers, ambassadors, military delegations,
   veterans, officials, press, others).
3. Within a category, by seniority in office (earliest ``in_office_since``
   first; those without a date after those with one) or alphabetically; ties
   and the alphabetical rule use the country name in the rules' language,
   collated with the Unicode Collation Algorithm (correct for Latin and
   Cyrillic alike), then the guest's name.
4. Explicit overrides are applied last, in file order: each moves one guest
   directly before or after another.

Interpreters are not ranked: they follow their principal.
"""

from __future__ import annotations

from collections.abc import Iterable

from paradeops.protocol.countries import collation_key, country_name
from paradeops.protocol.guests import Guest, GuestBook, PrecedenceRules

SortKey = tuple[object, ...]


def sort_key(guest: Guest, rules: PrecedenceRules, host_country: str) -> SortKey:
    """The key that orders guests before overrides (smaller is more senior)."""
    categories = list(rules.categories)
    try:
        category = categories.index(guest.category)
    except ValueError:
        category = len(categories)
    country = collation_key(country_name(guest.country, rules.language))
    name = collation_key(guest.name)
    if rules.within_rank == "seniority":
        since = guest.in_office_since
        seniority: SortKey = (0, since.toordinal()) if since is not None else (1, 0)
    else:
        seniority = (0, 0)
    return (0 if guest.host else 1, category, seniority, country, name, guest.id)


def order(book: GuestBook, ids: Iterable[str] | None = None) -> list[str]:
    """Ids of the (non-interpreter) guests in order of precedence, most senior first.

    ``ids`` restricts the ranking to some guests (e.g. those expected on the
    day); overrides naming a guest outside it are skipped.
    """
    wanted = None if ids is None else set(ids)
    guests = [
        g
        for g in book.guests
        if g.interpreter_for is None and (wanted is None or g.id in wanted)
    ]
    rules = book.precedence
    ranked = [g.id for g in sorted(guests, key=lambda g: sort_key(g, rules, book.host_country))]
    for override in rules.overrides:
        target = override.before or override.after
        if override.guest not in ranked or target not in ranked or target == override.guest:
            continue
        ranked.remove(override.guest)
        at = ranked.index(target) + (0 if override.before else 1)
        ranked.insert(at, override.guest)
    return ranked


def order_with_interpreters(book: GuestBook, ids: Iterable[str] | None = None) -> list[str]:
    """Precedence order with each interpreter listed right after their principal."""
    wanted = None if ids is None else set(ids)
    out: list[str] = []
    for gid in order(book, wanted):
        out.append(gid)
        out.extend(
            g.id
            for g in book.guests
            if g.interpreter_for == gid and (wanted is None or g.id in wanted)
        )
    return out
