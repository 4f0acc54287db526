"""An article's text with its dated mentions marked, escaped piece by piece."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from service.domain import Mention


def highlight(text: str, mentions: Sequence[Mention]) -> Markup:
    """The text, escaped, with each dated mention in a <mark>; mentions that overlap share
    one mark, which names every value in it."""
    pieces: list[Markup] = []
    done = 0
    for first, last, indices in _spans(len(text), mentions):
        described = " ".join(f"mention-{i}" for i in indices)
        said = "; ".join(mention_words(mentions[i]) for i in indices)
        anchors = Markup("").join(Markup('<span id="m{}"></span>').format(i) for i in indices[1:])
        pieces.append(escape(text[done:first]))
        pieces.append(
            Markup('<mark id="m{}" title="{}" aria-describedby="{}">{}{}</mark>').format(
                indices[0], said, described, anchors, text[first:last]
            )
        )
        done = last
    pieces.append(escape(text[done:]))
    return Markup("").join(pieces)


def _spans(length: int, mentions: Sequence[Mention]) -> list[tuple[int, int, list[int]]]:
    """The stretches of text to mark, in order, each with the mentions it holds; mentions
    that overlap are joined, and offsets outside the text are ignored."""
    spans: list[tuple[int, int, list[int]]] = []
    ordered = sorted(range(len(mentions)), key=lambda i: (mentions[i].start, mentions[i].end))
    for i in ordered:
        first, last = mentions[i].start, min(mentions[i].end, length)
        if first >= last:
            continue
        if spans and first < spans[-1][1]:
            start, end, indices = spans[-1]
            spans[-1] = (start, max(end, last), [*indices, i])
        else:
            spans.append((first, last, [i]))
    return spans


def mention_words(mention: Mention) -> str:
    """'2021, year': the value a mention was read as, and its precision."""
    said = f"{mention.value}, {mention.precision.value}"
    return f"{said}, {mention.mod.value.lower().replace('_', ' ')}" if mention.mod else said
