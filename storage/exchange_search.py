"""Turning a member's search text into an FTS5 query that cannot be a syntax error."""

from __future__ import annotations

import re

# Letters and digits only: FTS5's unicode61 tokenizer splits on everything else, and nothing else can
# then reach the query parser (no quotes, operators, column filters, parentheses or NUL).
_WORD = re.compile(r"[^\W_]+")
MAX_TERMS = 12
MAX_TERM_LENGTH = 64


def search_terms(text: str) -> list[str]:
    """Return the distinct words of text, in order, at most MAX_TERMS of them."""
    seen: dict[str, str] = {}
    for word in _WORD.findall(text):
        word = word[:MAX_TERM_LENGTH]
        key = word.casefold()
        if key not in seen:
            seen[key] = word
        if len(seen) == MAX_TERMS:
            break
    return list(seen.values())


def fts_query(terms: list[str], *, any_term: bool = False) -> str:
    """Build an FTS5 query matching every term (or, with any_term, at least one) as quoted strings."""
    if not terms:
        raise ValueError("a search needs at least one word")
    # Each term is an FTS5 string; a doubled quote is how FTS5 escapes one inside it.
    quoted = ['"' + term.replace('"', '""') + '"' for term in terms]
    return (" OR " if any_term else " ").join(quoted)
