"""The modes of inheritance an Inheritance sentence gives the page's condition. Pure.

Read: every pattern of a list before "pattern", "manner" or "fashion" ("an autosomal dominant,
autosomal recessive, or X-linked recessive pattern"); a condition said to be one ("is an
autosomal dominant condition", "is considered an autosomal recessive disorder", "inherited as
an X-linked trait"); sporadic occurrence ("most cases are not inherited", "(sporadic)"). Not
read: what was thought in the past (a sentence with "in the past", "was once thought" … gives
only what follows "now", "however", "but"); a pattern named as a trait of inheritance in
general ("a characteristic of X-linked inheritance is …"); "sporadic" said of another condition
or form ("another form of the disorder is sporadic").
"""

from __future__ import annotations

import re

NAME = r"(?:X-linked recessive|X-linked dominant|autosomal dominant|autosomal recessive|mitochondrial|X-linked|Y-linked)"
SEP = r"(?:,? (?:or|and|and/or) |, )"
NAMES = rf"(?P<names>(?:an? )?{NAME}(?:{SEP}(?:an? )?{NAME}){{0,10}})"
PATTERN = re.compile(rf"\b{NAMES},?(?: [a-z-]+){{0,2}}? (?:pattern|manner|fashion)\b")
KIND = re.compile(r"\b(?:is|are|as)(?: (?:considered|classified as|described as|thought to be|known to be|generally|"
                  rf"usually|typically|also|often|an?))+ {NAMES} (?:conditions?|disorders?|diseases?|traits?)\b")
ONE_NAME = re.compile(NAME)
CUE = re.compile(r"\binherit|\bpattern\b|\b(?:condition|disorder|disease|trait)s?\b")
PAST = re.compile(r"\bin the past\b|\b(?:was|were) (?:once |previously |originally |initially |formerly )?"
                  r"(?:thought|believed|considered)\b|\b(?:previously|originally|formerly) (?:thought|believed|classified)\b",
                  re.IGNORECASE)
PRESENT = re.compile(r"\b(?:now|currently|today|however|but|more recent(?:ly)?)\b", re.IGNORECASE)
NOT_INHERITED = re.compile(r"\bnot inherited\b|\bsporadic\b")
OTHER_FORM = re.compile(r"\b(?:related|similar|another|other|different|separate)\b(?: [a-z-]+){0,2} "
                        r"(?:conditions?|disorders?|diseases?|syndromes?|forms?|types?)\b|"
                        r"\b(?:conditions?|disorders?|syndromes?|forms?|types?),? (?:called|known as|named)\b", re.IGNORECASE)


def present(sentence: str) -> str:
    """The part of a sentence that says what holds now: after "now" (or "however", "but") when it
    speaks of the past, nothing when it speaks of the past only, else all of it."""
    past = PAST.search(sentence)
    if past is None:
        return sentence
    now = PRESENT.search(sentence, past.end())
    return sentence[now.end():] if now else ""


def _clauses(text: str) -> list[str]:
    return [c for c in re.split(r";|, (?:but|while|whereas|although|unlike)\b|\bunlike\b", text) if c.strip()]


def modes(sentence: str) -> list[str]:
    """The inheritance phrases (lexicon keys) a sentence gives the page's condition, in order."""
    text = present(sentence)
    if not (CUE.search(text) or NOT_INHERITED.search(text)):
        return []
    found = [name for regex in (PATTERN, KIND) for match in regex.finditer(text)
             for name in ONE_NAME.findall(match["names"])]
    if any(NOT_INHERITED.search(c) and not OTHER_FORM.search(c) for c in _clauses(text)):
        found.append("sporadic")
    return list(dict.fromkeys(found))
