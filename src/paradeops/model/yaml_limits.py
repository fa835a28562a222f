"""What a YAML document may ask of the readers, and what it has used so far.

Shared by the fast reader (:mod:`~paradeops.model.yaml_fast`) and the bounded
round-trip reader (:mod:`~paradeops.model.yaml_bounded`), so that both refuse
the same documents with the same words. Pure: the only clock is the CPU time
of the reading thread, which measures the document's cost, not the machine's
load.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from paradeops.errors import UserError

if TYPE_CHECKING:
    from ruamel.yaml.nodes import Node

#: Input files are hand-written; anything larger is almost surely the wrong file.
#: The service's default upload limit (``serve --max-upload-mb``) is the same.
MAX_INPUT_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class ReadLimits:
    """How much a document may ask of the reader before it is refused.

    A plan is a few hundred lines a few levels deep; these bounds are far
    beyond that, and far below what would stall the service or the machine.
    """

    #: Size of the text [bytes].
    max_bytes: int = MAX_INPUT_BYTES
    #: Nesting of lists and mappings, aliases expanded.
    max_depth: int = 100
    #: ``*name`` references in one document.
    max_aliases: int = 10_000
    #: Values after aliases are expanded: this many, or twice as many as the
    #: text writes out, whichever is larger (so no alias-free file is refused).
    max_expanded: int = 100_000
    #: CPU time of the reading thread to read the document [s]. CPU time, not
    #: wall time: on a loaded machine (or while the service's other threads
    #: hold the interpreter) a valid file must not be refused for the wait.
    max_seconds: float = 10.0


DEFAULT_LIMITS = ReadLimits()


def cpu_seconds() -> float:
    """CPU time of the calling thread [s]: the reader's own work, not its waits."""
    return time.thread_time()


class Budget:
    """What the document being read has used of its limits so far.

    ``deadline`` (a :func:`cpu_seconds` reading) lets a second reader of the
    same text continue the first one's time instead of starting anew.
    """

    def __init__(self, limits: ReadLimits, deadline: float | None = None) -> None:
        self.limits = limits
        self.deadline = cpu_seconds() + limits.max_seconds if deadline is None else deadline
        self.aliases = 0
        self.ticks = 0

    def tick(self, line: int | None) -> None:
        """Called for every value read; looks at the clock now and then."""
        self.ticks += 1
        if self.ticks % 256 == 0:
            self.check_time(line)

    def check_time(self, line: int | None) -> None:
        if cpu_seconds() > self.deadline:
            raise UserError(
                f"reading the file took longer than {self.limits.max_seconds:g} s",
                line=line,
                hint="a plan or guest list reads in well under a second; "
                "check that this is the right file",
            )

    def alias(self, line: int) -> None:
        self.aliases += 1
        if self.aliases > self.limits.max_aliases:
            raise UserError(
                f"more than {self.limits.max_aliases:,} aliases (*name)",
                line=line,
                hint="write the values out; a plan needs only a few aliases",
            )

    def depth(self, depth: int, line: int) -> None:
        if depth > self.limits.max_depth:
            raise UserError(
                f"lists and mappings are nested more than {self.limits.max_depth} deep",
                line=line,
                hint="check the brackets and indentation; a plan is nested a few levels deep",
            )

    def expanded(self, size: int, distinct: int, line: int) -> None:
        """Refuse a value of ``size`` values once aliases are expanded, if too many.

        ``distinct`` is the number of values the text writes out so far.
        """
        limit = max(self.limits.max_expanded, 2 * distinct)
        if size > limit:
            raise UserError(
                f"aliases expand to more than {limit:,} values",
                line=line,
                hint="write the repeated part out, or use fewer levels of aliases "
                "(&name and *name)",
            )

    def expansion(self, root: Node) -> None:
        """Refuse a document whose aliases expand beyond the limit, before it is built.

        Aliases are shared references until the data is copied into plain
        dicts and lists; there ``n`` nested levels of ``k`` aliases become
        ``k**n`` values. Each node's expanded size is computed once (a walk
        of the node graph without recursion), so this costs one pass.
        """
        sizes: dict[int, int] = {}
        depths: dict[int, int] = {}
        entered: set[int] = set()
        stack: list[tuple[Node, bool]] = [(root, False)]
        while stack:
            node, kids_done = stack.pop()
            key = id(node)
            kids = _children(node)
            if not kids_done:
                if key in sizes:
                    continue
                entered.add(key)
                stack.append((node, True))
                for kid in kids:
                    if id(kid) in entered and id(kid) not in sizes:
                        refuse_cycle(kid.start_mark.line + 1)
                    if id(kid) not in sizes:
                        stack.append((kid, False))
                continue
            sizes[key] = 1 + sum(sizes[id(k)] for k in kids)
            depths[key] = 1 + max(depths[id(k)] for k in kids) if kids else 0
            line = node.start_mark.line + 1
            self.depth(depths[key], line)
            self.expanded(sizes[key], len(sizes), line)
            self.tick(line)


def refuse_cycle(line: int) -> None:
    """An alias inside the value it names (``&u [1, *u]``), which starts on ``line``."""
    raise UserError(
        "an alias refers to a value that contains it",
        line=line,
        hint="an alias (*name) must refer to a value defined before it, not around it",
    )


def _children(node: Node) -> list[Node]:
    kind = getattr(node, "id", None)  # "scalar", "sequence" or "mapping" (ruamel)
    if kind == "sequence":
        return list(node.value)
    if kind == "mapping":
        return [part for pair in node.value for part in pair]
    return []
