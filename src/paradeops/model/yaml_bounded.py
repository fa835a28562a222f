"""ruamel's round-trip reader with the bounds of :class:`~paradeops.model.yaml_limits.ReadLimits`.

Imported only when a file is read by the round-trip reader (a file out of the
ordinary, or the lines of a file with problems): ruamel takes a tenth of a
second to import. Pure: takes text, returns values.
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.composer import Composer
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.events import AliasEvent, MappingStartEvent, SequenceStartEvent
from ruamel.yaml.scanner import RoundTripScanner

from paradeops.model.input_messages import non_text_key
from paradeops.model.yaml_limits import Budget
from paradeops.model.yaml_scalars import unreadable


class _BoundedComposer(Composer):
    """ruamel's composer, counting aliases and nesting as it goes.

    The nesting is checked before a list or mapping is entered, so that
    thousands of ``[`` are refused at the first one too many, not by a
    RecursionError somewhere inside the parser.
    """

    def __init__(self, loader: Any = None) -> None:
        super().__init__(loader=loader)
        self.budget: Budget = loader.budget
        self.nesting = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.parser.peek_event()
        line = event.start_mark.line + 1
        self.budget.tick(line)
        if isinstance(event, AliasEvent):
            self.budget.alias(line)
            return super().compose_node(parent, index)
        if isinstance(event, SequenceStartEvent | MappingStartEvent):
            self.budget.depth(self.nesting + 1, line)
        self.nesting += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.nesting -= 1

    def compose_document(self) -> Any:
        node = super().compose_document()
        if node is not None:
            self.budget.expansion(node)
        return node


class _BoundedScanner(RoundTripScanner):
    """ruamel's scanner, refusing flow nesting (``[[[[``) beyond the limit.

    The scanner looks far ahead inside flow collections, at a cost that grows
    with their nesting, so the bound is applied here, at the first bracket
    too many, before the composer sees anything.
    """

    def fetch_flow_collection_start(self, TokenClass: Any, to_push: Any) -> None:
        budget: Budget = self.loader.budget
        budget.depth(len(self.flow_context) + 1, self.reader.line + 1)
        super().fetch_flow_collection_start(TokenClass, to_push)


class _BoundedConstructor(RoundTripConstructor):
    """ruamel's round-trip constructor; a value Python cannot hold is a located error."""

    def __init__(self, preserve_quotes: Any = None, loader: Any = None) -> None:
        super().__init__(preserve_quotes=preserve_quotes, loader=loader)
        self.budget: Budget = loader.budget

    def check_mapping_key(
        self, node: Any, key_node: Any, mapping: Any, key: Any, value: Any
    ) -> bool:
        if key_node.id != "scalar":
            # A list or mapping as a key: ruamel's would fail unhashable (a TypeError).
            raise non_text_key(key, key_node.start_mark.line + 1, None)
        return bool(super().check_mapping_key(node, key_node, mapping, key, value))

    def construct_non_recursive_object(self, node: Any, tag: Any = None) -> Any:
        line = node.start_mark.line + 1
        self.budget.tick(line)
        try:
            return super().construct_non_recursive_object(node, tag)
        except (ValueError, OverflowError, IndexError):  # IndexError: ``!!int`` with no digits
            if str(node.tag).endswith(":timestamp") and isinstance(node.value, str):
                # ``date: 2025-02-30``: kept as the text written, so that the
                # model reports it with its field (and a text field keeps it).
                return node.value
            # e.g. an integer of 5,000 digits.
            raise unreadable(node.value, line) from None


class BoundedYAML(YAML):
    def __init__(self, budget: Budget) -> None:
        super().__init__(typ="rt")
        self.budget = budget
        self.Scanner = _BoundedScanner
        self.Composer = _BoundedComposer
        self.Constructor = _BoundedConstructor
