"""The lexicon: our data file of names → identifiers and phrases → terms, with lookups."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from .page import Section

LEXICON_FILE = Path(__file__).resolve().parents[1] / "data" / "medlineplus-lexicon.yaml"
LEVEL_KEYS = {"High": "high", "HighOrNormal": "high", "Low": "low"}
POPULATION_PREDICATES = {"Male": "kg:sex", "Female": "kg:sex"}
RECURRENT = re.compile(r"\b(?:recurrent|recurring|frequent|repeated)\b")


def _id(entry: Any) -> str:
    return entry["id"] if isinstance(entry, dict) else entry


@dataclass(frozen=True)
class Lexicon:
    data: dict[str, Any]

    @classmethod
    def read(cls, path: Path = LEXICON_FILE) -> Lexicon:
        return _read(path)

    def identifier(self, kind: str, name: str) -> str | None:
        """The CURIE the lexicon gives a name of this kind, if any."""
        table = {"condition": "conditions", "gene": "genes", "protein": "proteins", "cell": "cells",
                 "antibody": "antibodies", "inheritance": "inheritance", "receptor": "proteins"}.get(kind)
        if kind == "receptor":
            protein = self.data["proteins"].get(name.removeprefix("receptor of "))
            return protein.get("receptor") if isinstance(protein, dict) else None
        entry = self.data.get(table, {}).get(name) if table else None
        return _id(entry) if entry else None

    def label(self, kind: str, name: str) -> str | None:
        """The label the lexicon gives a known term (the source's own label), if any."""
        entry = self.data.get({"inheritance": "inheritance"}.get(kind, ""), {}).get(name)
        return entry.get("label") if isinstance(entry, dict) else None

    def inheritance_phrase(self, code: str | None, memo: str | None) -> str | None:
        """The inheritance phrase of a record's pattern: by its memo, else by NLM's code."""
        phrases = {phrase.lower(): phrase for phrase in self.data["inheritance"]}
        wording = (memo or "").strip().lower()
        for text in (wording, self.data["inheritance_memos"].get(wording, "").lower()):
            if text in phrases:
                return phrases[text]
        return self.data["inheritance_codes"].get((code or "").strip().lower())

    def database(self, name: str) -> dict[str, Any] | None:
        """How keys of an NLM db-key database become cross-references, if we know the database."""
        entries = {key.lower(): value for key, value in self.data["databases"].items()}
        return entries.get(name.strip().lower())

    def antibody_phenotype(self, name: str, direction: str) -> str | None:
        entry = self.data["antibodies"].get(name)
        return entry.get(LEVEL_KEYS[direction]) if isinstance(entry, dict) else None

    def features(self, lowered: str) -> list[str]:
        """The phenotypes named in a sentence, longest phrases first, each once; a phrase inside a
        longer one that matched is not read again. Brackets are read as spaces ("brain and spinal
        cord (central nervous system) infections"). An entry with a `recurrent` term gives it when
        the sentence says recurrent or frequent."""
        text, found = _plain(lowered), {}
        for phrase, pattern in self._phrases():
            if pattern.search(text):
                entry = self.data["features"][phrase]
                if isinstance(entry, dict):
                    entry = entry["recurrent"] if RECURRENT.search(text) else entry["id"]
                found.setdefault(entry)
                text = pattern.sub(" | ", text)
        return list(found)

    def occurrence(self, lowered: str) -> str | None:
        """How often the sentence says its features occur, by a cue outside the feature phrases
        ("frequent infections" names a feature; it says nothing about how often)."""
        text = _plain(lowered)
        for _, pattern in self._phrases():
            text = pattern.sub(" | ", text)
        for cue, term in self.data["occurrence"].items():
            if re.search(rf"\b{re.escape(cue)}\b", text):
                return term
        return None

    def _phrases(self) -> list[tuple[str, re.Pattern[str]]]:
        return _feature_patterns(tuple(self.data["features"]))

    def population(self, text: str) -> list[tuple[str, str]]:
        words = set(re.findall(r"[a-z]+", text.lower()))
        return [(POPULATION_PREDICATES.get(term, "kg:lifeStage"), term)
                for word, term in self.data["populations"].items() if word in words]

    def resources(self, section: Section) -> list[tuple[str, str]]:
        """(category, text under it) for each category heading found in the section."""
        positions = sorted((section.text.find(c), c) for c in self.data["resource_categories"] if c in section.text)
        out = []
        for index, (start, category) in enumerate(positions):
            end = positions[index + 1][0] if index + 1 < len(positions) else len(section.text)
            out.append((category, section.text[start + len(category):end].strip()))
        return out

    def identifiers(self) -> list[str]:
        """Every CURIE in the lexicon (for the identifier check)."""
        found = []
        for table in ("conditions", "genes", "proteins", "cells", "antibodies", "inheritance", "features"):
            for entry in self.data[table].values():
                if isinstance(entry, dict):
                    found += [v for k, v in entry.items() if k not in {"source", "label"}]
                else:
                    found.append(entry)
        return found


def _plain(lowered: str) -> str:
    return " ".join(re.sub(r"[()]", " ", lowered).split())


@cache
def _feature_patterns(phrases: tuple[str, ...]) -> list[tuple[str, re.Pattern[str]]]:
    return [(p, re.compile(rf"\b{re.escape(p)}\b")) for p in sorted(phrases, key=len, reverse=True)]


@cache
def _read(path: Path) -> Lexicon:
    return Lexicon(yaml.safe_load(path.read_text(encoding="utf-8")))
