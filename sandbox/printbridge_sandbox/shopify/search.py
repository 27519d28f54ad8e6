"""Shopify's search syntax for the `query:` argument of connections: terms are `field:value` with an optional
comparator (`updated_at:>'2025-01-01T00:00:00Z'`, `created_at:<=2025-02-01`), joined by whitespace or
`AND`, alternatives with `OR`, negation with a leading `-` or `NOT`, quotes (' or ") around values with
spaces, a trailing `*` for a prefix match. A term without a field matches the default fields. Unknown fields
are ignored, as Shopify does."""

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

COMPARATOR = re.compile(r"^(>=|<=|>|<|=)?(.*)$", re.S)


class SearchSyntaxError(ValueError):
    pass


@dataclass
class Term:
    field: str | None
    comparator: str
    value: str
    negated: bool


@dataclass
class FieldSpec:
    kind: str  # date | number | string | bool
    get: Callable[[Any], Any]  # one value or a list of values (matches if any does)


def _tokens(query: str) -> list[str]:
    lexer = shlex.shlex(query, posix=True)
    lexer.whitespace_split = True
    lexer.quotes = "'\""
    lexer.commenters = ""
    try:
        return list(lexer)
    except ValueError as exc:
        raise SearchSyntaxError(f"unbalanced quotes in query: {query!r}") from exc


def parse(query: str) -> list[list[Term]]:
    """Disjunctive normal form: a list of alternatives, each a list of terms that must all hold."""
    groups: list[list[Term]] = [[]]
    negate_next = False
    for token in _tokens(query):
        if token == "OR":
            groups.append([])
            continue
        if token == "AND":
            continue
        if token == "NOT":
            negate_next = True
            continue
        negated = negate_next
        negate_next = False
        if token.startswith("-") and len(token) > 1:
            negated, token = True, token[1:]
        field, sep, rest = token.partition(":")
        if not sep:
            groups[-1].append(Term(None, "=", token, negated))
            continue
        match = COMPARATOR.match(rest)
        assert match is not None
        groups[-1].append(Term(field.lower(), match.group(1) or "=", match.group(2), negated))
    return [group for group in groups if group] or [[]]


def parse_moment(value: str) -> tuple[datetime, bool]:
    """An ISO 8601 instant (no zone means UTC) or a date; the flag says it was a whole day."""
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, tzinfo=UTC), True
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise SearchSyntaxError(f"not a date or time: {value!r}") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment, False


def _compare(kind: str, actual: Any, comparator: str, wanted: str) -> bool:
    if actual is None:
        return False
    if kind == "date":
        moment, whole_day = parse_moment(wanted)
        if comparator == "=":
            if whole_day:
                return bool(moment <= actual < moment + timedelta(days=1))
            return bool(actual == moment)
        if whole_day and comparator in (">", "<="):
            moment = moment + timedelta(days=1) - timedelta(microseconds=1)
        return _ordered(actual, comparator, moment)
    if kind == "number":
        try:
            number = Decimal(wanted)
        except InvalidOperation as exc:
            raise SearchSyntaxError(f"not a number: {wanted!r}") from exc
        return (
            _ordered(Decimal(actual), comparator, number) if comparator != "=" else Decimal(actual) == number
        )
    if kind == "bool":
        return bool(actual) == (wanted.lower() == "true")
    text, pattern = str(actual).lower(), wanted.lower()
    if comparator != "=":
        return _ordered(text, comparator, pattern)
    if pattern.endswith("*"):
        return text.startswith(pattern[:-1])
    return text == pattern


def _ordered(actual: Any, comparator: str, wanted: Any) -> bool:
    return bool(
        {
            ">": actual > wanted,
            ">=": actual >= wanted,
            "<": actual < wanted,
            "<=": actual <= wanted,
        }[comparator]
    )


def matcher(
    query: str | None, fields: dict[str, FieldSpec], default_fields: list[str]
) -> Callable[[Any], bool]:
    if not query or not query.strip():
        return lambda _item: True
    alternatives = parse(query)

    def term_holds(item: Any, term: Term) -> bool:
        names = [term.field] if term.field else default_fields
        known = [name for name in names if name in fields]
        if term.field and not known:
            return True  # an unknown field is ignored
        result = False
        for name in known:
            spec = fields[name]
            values = spec.get(item)
            candidates = values if isinstance(values, list) else [values]
            comparator = term.comparator
            wanted = term.value
            if not term.field and not wanted.endswith("*"):
                wanted += "*"
            if any(_compare(spec.kind, value, comparator, wanted) for value in candidates):
                result = True
                break
        return result != term.negated

    # Validate the values once, so bad input fails the same way whether or not anything is searched.
    for group in alternatives:
        for term in group:
            spec = fields.get(term.field or "")
            if spec is not None:
                _compare(spec.kind, _probe(spec.kind), term.comparator, term.value)

    return lambda item: any(all(term_holds(item, term) for term in group) for group in alternatives)


def _probe(kind: str) -> Any:
    return {"date": datetime.now(UTC), "number": 0, "bool": True}.get(kind, "")
