"""The one exception type for everything a user got wrong.

Each problem carries where it is (file, line, field) and what to do about it,
so that the CLI can print it in one or two lines and exit 2, and the service
can answer 4xx with the very same text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the user's input."""

    message: str
    file: str | None = None
    line: int | None = None
    field: str | None = None
    hint: str | None = None

    def where(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file if self.line is None else f"{self.file}:{self.line}")
        elif self.line is not None:
            parts.append(f"line {self.line}")
        if self.field:
            parts.append(self.field)
        return ": ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text += f"\n  → {self.hint}"
        return text


class UserError(Exception):
    """Input the user must fix; holds every problem found, not just the first.

    A plain exception, not a dataclass: it hashes (sets, ``functools.lru_cache``
    and async libraries' exception groups need that), and it pickles with its
    problems (it crosses process pools). Two user errors are equal when they
    are of the same type and list the same problems, and hash alike then.
    """

    problems: tuple[Problem, ...]

    def __init__(
        self,
        message: str | None = None,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
        hint: str | None = None,
        problems: Iterable[Problem] | None = None,
    ) -> None:
        found = list(problems or [])
        if message is not None:
            found.insert(0, Problem(message, file=file, line=line, field=field, hint=hint))
        if not found:
            raise ValueError("UserError needs at least one problem")
        self.problems = tuple(found)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(problems={self.problems!r})"

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, UserError)
        return self.problems == other.problems

    def __hash__(self) -> int:
        return hash((type(self), self.problems))

    def __reduce__(self) -> tuple[Any, ...]:
        # Exception's own pickling would call the constructor with the joined
        # text as one message: rebuild from the problems instead.
        return (_rebuilt, (type(self), self.problems))

    def with_file(self, file: str) -> UserError:
        """The same problems, attributed to ``file`` where they name none."""
        return UserError(
            problems=[
                p if p.file else Problem(p.message, file, p.line, p.field, p.hint)
                for p in self.problems
            ]
        )


def _rebuilt(kind: type[UserError], problems: tuple[Problem, ...]) -> UserError:
    """A user error of ``kind`` again, from its problems (unpickling)."""
    return kind(problems=problems)


class ValueAt(ValueError):
    """A model-wide check's error that names the value at fault.

    ``loc`` is relative to the model that raises it (``("host_seat", "seat")``):
    the file readers add it to pydantic's location, so the message points at
    the line and field of the offending value, not at the top of the file.
    """

    def __init__(self, loc: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc
