"""Facts from a page's sections, by MedlinePlus's regular phrasing. Pure: a Page in, records out.

The patterns are written for the phrasing the site uses on every page ("Variants … in the X
gene cause …", "inherited in an autosomal dominant pattern", "estimated to occur in 2 per
million …", "affects about 1 in 40,000 …"), not for one page. Each fact keeps the section and
the sentence it came from; sentences of the prose sections that give no fact are kept too, so
the loader can report them. The genes come from `causes` (the phrasing table) and from the
page's own list (`gene_list`), a symbol only when it is known (`symbols`); the modes of
inheritance from `inheritance`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from . import gene_list
from .causes import PHRASINGS, Mention, Phrasing, mentions
from .inheritance import modes
from .lexicon import Lexicon
from .page import LIST_SECTIONS, Page
from .records import Extraction, Fact, Ref
from .references import parse_citation, split_references
from .symbols import SYMBOL, hpo_symbols

PROSE = ("Description", "Frequency", "Causes", "Inheritance", "Normal Function",
         "Health Conditions Related to Genetic Changes")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")
RELATED_GENES = "Related Genes"  # a record's related-gene list, as structured.page_of names it
BASIS_ORDER = ("StatedCause", "Deletion", "StatedAssociation", "ListedAssociation")
GENE_CAUSES = re.compile(rf"(?:variants|mutations) in the ({SYMBOL}) gene (?:have been found to |are known to |)cause ([^.,;]+)")
PROTEIN = re.compile(rf"(?:(?:The|This) ({SYMBOL}) gene|(?:This|The|Each) gene) provides instructions for making (?:a|an) "
                     r"(?:[a-z]+ )?(?:protein|enzyme) called (?:the )?([^,.;]+)")
SURFACE = re.compile(r"(?:found|located) (?:on|in) the surface of [^.]*?(?:known as|called) ([A-Za-z-]+(?: [A-Za-z-]+)?? cells)")
RECEPTOR = re.compile(r"^(?P<protein>[A-Z][^.]*?) (?:attaches|binds)[^.]*? to its receptor(?: protein)?"
                      r"(?:, (?:called|known as) (?P<receptor>[^,]+))?, which is (?:located|found) on the surface of "
                      r"[^.]*?(?:known as|called) (?P<cells>[A-Za-z-]+(?: [A-Za-z-]+)?? cells)")
PER = re.compile(r"(\d[\d,]*) per (million|hundred thousand|thousand|[\d,]+) ([^.;]+)")
ONE_IN = re.compile(r"\b1 in ([\d,]+) ([^.;]+)")
LEVELS = re.compile(r"\b(high|low|normal|elevated|reduced)(?:er)? levels? of\b")
CLASSES = re.compile(r"\((Ig[A-Z])\)|\b(Ig[AGMED])\b")
SCALE = {"million": 1_000_000, "hundred thousand": 100_000, "thousand": 1_000}
UNSPLIT_WORDS = 6  # a run-together "name" longer than this is reported: it may be several
CONNECTORS = {"with", "of", "and", "the", "type", "in", "to", "for", "due", "or", "a", "an", "on"}


def sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE_END.split(text) if s.strip()]


def _number(text: str) -> int:
    return int(text.replace(",", ""))


class Extractor:
    """Reads one page with one lexicon; `known` are the gene symbols HGNC is known to have (the
    bundled HPO release's and the lexicon's, by default), to which the page's own list is added."""

    def __init__(self, page: Page, lexicon: Lexicon, known: frozenset[str] | None = None) -> None:
        self.page, self.lexicon = page, lexicon
        self.subject = Ref(page.kind, self._subject_name(), page.slug)
        self.out = Extraction()
        self.genes: list[str] = []
        known = _known(lexicon) if known is None else known
        causes = page.section("Causes")
        self.causes_text, self.gene_list = (gene_list.split(causes, self.subject.name, known)
                                            if causes is not None and page.kind == "condition" else (None, None))
        related = page.section(RELATED_GENES)
        self.known = known | set(related.items if related else ()) | set(self.gene_list.symbols if self.gene_list else ())
        self.own_names = (self.subject.name, *self._other_names())

    def _subject_name(self) -> str:
        title = self.page.title
        return title[: -len(" gene")] if self.page.kind == "gene" and title.endswith(" gene") else title

    def _other_names(self) -> list[str]:
        section = self.page.section("Other Names for This Condition")
        return list(section.items or split_names(section.text)) if section else []

    def fact(self, subject: Ref, predicate: str, obj: object, section: str, sentence: str,
             qualifiers: tuple[tuple[str, object], ...] = ()) -> None:
        self.out.facts.append(Fact(subject, predicate, obj, section, sentence, qualifiers))  # type: ignore[arg-type]

    # -- prose ---------------------------------------------------------------------------------

    def run(self) -> Extraction:
        self.fact(self.subject, "rdfs:label", self.subject.name, "page", self.page.title)
        if self.page.kind == "gene":
            self.fact(self.subject, "kg:symbol", self.subject.name, "page", self.page.title)
        for heading in PROSE:
            section = self.page.section(heading)
            if section is None:
                continue
            text = self.causes_text if heading == "Causes" and self.causes_text is not None else section.text
            for sentence in sentences(text):
                self.out.sentences += 1
                before = len(self.out.facts)
                self.read_sentence(heading, sentence)
                if len(self.out.facts) == before:
                    self.out.skipped.append((heading, sentence))
        self.listed()
        self.names()
        self.resources()
        self.references()
        return self.out

    def read_sentence(self, section: str, sentence: str) -> None:
        if self.page.kind == "condition":
            self.causes(section, sentence)
            self.antibody_levels(section, sentence)
            self.features(section, sentence)
            self.frequency(section, sentence)
            self.inheritance(section, sentence)
        else:
            self.gene_conditions(section, sentence)
        self.proteins(section, sentence)

    def causes(self, section: str, sentence: str) -> None:
        """The genes the sentence links to the condition, by every phrasing that fits it; a symbol
        HGNC is not known to have is left out and reported."""
        found, unknown = mentions(sentence, self.own_names)
        if unknown:
            self.fact(self.subject, "kg:causeUnknown", True, section, sentence)
        for mention in found:
            if mention.symbol in self.known:
                self.gene_link(mention, section, sentence)
            else:
                self.out.warnings.append(f"{section}: {mention.symbol!r} is not a gene symbol known here (HPO's "
                                         f"genes, the lexicon, the page's gene list), left out: {sentence[:120]!r}")

    def listed(self) -> None:
        """The genes of the page's own list that no sentence links: listed associations, with the
        list as their evidence."""
        if self.gene_list is None:
            return
        self.out.sentences += 1
        self.out.warnings += self.gene_list.warnings
        if not self.gene_list.symbols:
            self.out.skipped.append(("Causes", self.gene_list.text))
        for symbol in self.gene_list.symbols:
            if symbol not in self.out.genes:
                self.gene_link(Mention(symbol, "associated", "ListedAssociation"), "Causes", self.gene_list.text)

    def gene_link(self, mention: Mention, section: str, sentence: str) -> None:
        gene = Ref("gene", mention.symbol)
        if mention.basis != "ListedAssociation":
            self.genes.append(mention.symbol)
        held = self.out.genes.get(mention.symbol, BASIS_ORDER[-1])
        self.out.genes[mention.symbol] = min(held, mention.basis, key=BASIS_ORDER.index)
        self.fact(gene, "kg:symbol", mention.symbol, section, sentence)
        self.fact(gene, "rdfs:label", mention.symbol, section, sentence)
        if mention.alias:
            self.fact(gene, "skos:altLabel", mention.alias, section, sentence)
        basis = ("kg:linkBasis", Ref("term", mention.basis))
        if mention.relation == "causes":
            self.fact(gene, "kg:causes", self.subject, section, sentence, (basis,))
            return
        risk = (("kg:occurrence", Ref("term", "IncreasedRisk")),) if mention.relation == "risk" else ()
        self.fact(self.subject, "kg:relatedGene", gene, section, sentence, (*risk, basis))
        self.fact(gene, "kg:relatedCondition", self.subject, section, sentence, (*risk, basis))

    def gene_conditions(self, section: str, sentence: str) -> None:
        for symbol, condition in GENE_CAUSES.findall(sentence):
            condition = re.sub(r"^(?:a condition called|a disorder called|the condition) ", "", condition.strip())
            self.fact(Ref("gene", symbol), "kg:causes", Ref("condition", condition), section, sentence)
            self.fact(Ref("condition", condition), "rdfs:label", condition, section, sentence)

    def proteins(self, section: str, sentence: str) -> None:
        if match := PROTEIN.search(sentence):
            symbol = match.group(1) or (self.subject.name if self.page.kind == "gene" else (self.genes or [None])[-1])
            protein = Ref("protein", match.group(2).strip())
            if symbol:
                self.fact(Ref("gene", symbol), "kg:encodes", protein, section, sentence)
            self.fact(protein, "rdfs:label", protein.name, section, sentence)
            if cells := SURFACE.search(sentence[match.end():]):
                self.fact(protein, "kg:locatedOnSurfaceOf", Ref("cell", cells.group(1)), section, sentence)
        if match := RECEPTOR.search(sentence):
            protein = Ref("protein", match["protein"].strip())
            receptor = Ref("receptor", match["receptor"] or f"receptor of {protein.name}")
            self.fact(protein, "kg:hasReceptor", receptor, section, sentence)
            self.fact(protein, "kg:binds", receptor, section, sentence)
            self.fact(receptor, "kg:locatedOnSurfaceOf", Ref("cell", match["cells"]), section, sentence)

    def antibody_levels(self, section: str, sentence: str) -> None:
        words = {m.group(1) for m in LEVELS.finditer(sentence)}
        if not words or section != "Description":
            return
        direction = ("HighOrNormal" if words & {"high", "elevated"} and "normal" in words
                     else "High" if words & {"high", "elevated"} else "Low" if words & {"low", "reduced"} else None)
        if direction is None:
            return
        mentioned = sentence.replace(self.subject.name, "")  # "hyper IgM syndrome" names no level
        found = CLASSES.findall(mentioned)
        names = [a for a, _ in found if a] or [b for _, b in found if b]
        for name in dict.fromkeys(names):
            level = Ref("level", f"{name} level in {self.subject.name}")
            self.fact(self.subject, "kg:hasAntibodyLevel", level, section, sentence)
            self.fact(level, "kg:antibodyClass", Ref("antibody", name), section, sentence)
            self.fact(level, "kg:direction", Ref("term", direction), section, sentence)
            phenotype = self.lexicon.antibody_phenotype(name, direction)
            if phenotype and direction == "HighOrNormal":  # raised in some only: the level is not the phenotype
                self.fact(self.subject, "kg:hasPhenotype", Ref("phenotype", phenotype), section, sentence,
                          (("kg:occurrence", Ref("term", "InSome")),))
            elif phenotype:
                self.fact(level, "kg:manifestsAs", Ref("phenotype", phenotype), section, sentence)
                self.fact(self.subject, "kg:hasPhenotype", Ref("phenotype", phenotype), section, sentence)

    def features(self, section: str, sentence: str) -> None:
        if section != "Description":
            return
        lowered = sentence.lower()
        occurrence = self.lexicon.occurrence(lowered)
        qualifiers = (("kg:occurrence", Ref("term", occurrence)),) if occurrence else ()
        for phenotype in self.lexicon.features(lowered):
            self.fact(self.subject, "kg:hasPhenotype", Ref("phenotype", phenotype), section, sentence, qualifiers)

    def frequency(self, section: str, sentence: str) -> None:
        if section != "Frequency":
            return
        if match := PER.search(sentence):
            numerator, scale, population = _number(match[1]), match[2], match[3]
            denominator = SCALE.get(scale) or _number(scale)
        elif match := ONE_IN.search(sentence):
            numerator, denominator, population = 1, _number(match[1]), match[2]
        else:
            return
        frequency = Ref("frequency", self.subject.name)
        group = Ref("population", f"{population.strip()} ({self.subject.name})")
        self.fact(self.subject, "kg:hasFrequency", frequency, section, sentence)
        self.fact(frequency, "rdfs:label", f"an estimated {numerator:,} per {denominator:,} {population.strip()}", section, sentence)
        self.fact(frequency, "kg:numerator", numerator, section, sentence)
        self.fact(frequency, "kg:denominator", denominator, section, sentence)
        self.fact(frequency, "kg:population", group, section, sentence)
        self.fact(group, "rdfs:label", population.strip(), section, sentence)
        for predicate, term in self.lexicon.population(population):
            self.fact(group, predicate, Ref("term", term), section, sentence)

    def inheritance(self, section: str, sentence: str) -> None:
        """Every mode of inheritance an Inheritance sentence gives the condition (`inheritance.modes`)."""
        if section != "Inheritance":
            return
        for name in modes(sentence):
            self.fact(self.subject, "kg:hasModeOfInheritance", Ref("inheritance", name), section, sentence)

    # -- lists ---------------------------------------------------------------------------------

    def names(self) -> None:
        for heading in LIST_SECTIONS:
            section = self.page.section(heading)
            if section is not None:
                for name in section.items or split_names(section.text):
                    self.fact(self.subject, "skos:altLabel", name, heading, name)
                    if not section.items and len(name.split()) > UNSPLIT_WORDS:
                        self.out.warnings.append(f"{heading}: kept as one name, no clear boundary: {name!r}")

    def resources(self) -> None:
        section = self.page.section("Additional Information & Resources")
        if section is None:
            return
        for category, title in self.lexicon.resources(section):
            resource = Ref("resource", f"{self.subject.name}: {category}: {title}")
            self.fact(self.subject, "kg:hasInformationResource", resource, section.heading, f"{category}: {title}")
            self.fact(resource, "kg:resourceCategory", category, section.heading, f"{category}: {title}")
            self.fact(resource, "rdfs:label", title or category, section.heading, f"{category}: {title}")

    def references(self) -> None:
        section = self.page.section("References")
        if section is None:
            return
        entries = section.items or tuple(split_references(section.text))
        for index, entry in enumerate(entries):
            links = section.item_links[index] if index < len(section.item_links) else ()
            citation = parse_citation(re.sub(r"Citation on PubMed.*$", "", entry), links)
            if citation is None:
                self.out.skipped.append((section.heading, entry))
            else:
                self.out.citations.append(citation)


def split_names(text: str) -> Iterator[str]:
    """Names run together in a text capture, split only where the capitals say a name ends: after
    an abbreviation (HIGM1, MFS) or a number, or where a capitalised word follows a lower-case
    word other than a connector. A mixed-case word (IgM, mtDNA) or a single letter (hemophilia
    A) does not start a name. Where nothing says so, the words stay one entry."""
    current: list[str] = []
    for word in text.split():
        if current and _starts_name(current[-1], word):
            yield " ".join(current)
            current = []
        current.append(word)
    if current:
        yield " ".join(current)


def _starts_name(previous: str, word: str) -> bool:
    bare = word.strip("(),;")
    if not bare[:1].isupper() or len(bare) == 1 or previous.endswith(","):
        return False
    abbreviation = len(previous) > 1 and previous.upper() == previous and any(c.isalpha() for c in previous)
    if abbreviation or previous[-1:].isdigit():
        return True
    mixed = any(c.isupper() for c in bare[1:]) and any(c.islower() for c in bare)
    return previous.islower() and previous not in CONNECTORS and not mixed


def _known(lexicon: Lexicon) -> frozenset[str]:
    return hpo_symbols() | frozenset(lexicon.data["genes"])


def extract(page: Page, lexicon: Lexicon, known: frozenset[str] | None = None) -> Extraction:
    return Extractor(page, lexicon, known).run()


__all__ = ["PHRASINGS", "Extractor", "Phrasing", "extract", "sentences", "split_names"]
