"""The MedlinePlus sentence readers, phrasing by phrasing: each table row is a sentence in our
own words and what it must (or must not) give. Pages are built in memory; nothing is loaded."""

from __future__ import annotations

import pytest

from loaders.medlineplus.extract import PHRASINGS, extract, split_names
from loaders.medlineplus.lexicon import Lexicon
from loaders.medlineplus.page import Page, Section

LEXICON = Lexicon.read()


def read(heading: str, text: str, kind: str = "condition") -> set[tuple[str, str, str]]:
    """(subject, predicate, object) of the facts one section gives, names as written."""
    page = Page("https://medlineplus.gov/genetics/condition/example/", kind, "example", "Example disorder",
                {heading: Section(heading, text, 1)})
    facts = extract(page, LEXICON).facts
    return {(f.subject.name, f.predicate, getattr(f.object, "name", str(f.object))) for f in facts
            if f.section == heading and f.predicate not in {"rdfs:label", "kg:symbol"}}


def causes(*symbols: str) -> set[tuple[str, str, str]]:
    return {(s, "kg:causes", "Example disorder") for s in symbols}


def related(*symbols: str) -> set[tuple[str, str, str]]:
    return ({("Example disorder", "kg:relatedGene", s) for s in symbols}
            | {(s, "kg:relatedCondition", "Example disorder") for s in symbols})


@pytest.mark.parametrize("phrasing", PHRASINGS, ids=[p.name for p in PHRASINGS])
def test_each_phrasing_reads_its_own_example(phrasing) -> None:  # type: ignore[no-untyped-def]
    assert phrasing.pattern.search(phrasing.example), phrasing.example
    assert read("Causes", phrasing.example), phrasing.example


CAUSES = [
    ("current wording", "Variants in the CD40LG gene cause this disorder.", causes("CD40LG")),
    ("older wording", "Mutations in the TRPV4 gene cause this skeletal disorder.", causes("TRPV4")),
    ("with the aside", "Variants (also known as mutations) in the FBN1 gene cause the disorder.", causes("FBN1")),
    ("symbol first", "MECP2 gene mutations cause most cases of the disorder.", causes("MECP2")),
    ("caused by, three genes", "It is caused by mutations in the MT-ND1, MT-ND4, or MT-ND6 gene.",
     causes("MT-ND1", "MT-ND4", "MT-ND6")),
    ("caused by, two genes", "Most cases are caused by variants in the TSC1 or TSC2 gene.", causes("TSC1", "TSC2")),
    ("either of two genes", "Mutations in either the TSC1 or TSC2 gene cause the disorder.", causes("TSC1", "TSC2")),
    ("responsible for", "Changes in the F8 gene are responsible for the disorder.", causes("F8")),
    ("associated with", "Variants in the APOE gene have been associated with the disorder.", related("APOE")),
    ("increase the risk", "Mutations in the BRCA1 or BRCA2 gene increase the risk of the disorder.",
     related("BRCA1", "BRCA2")),
    ("cause unknown", "The cause of this disorder is unknown.", {("Example disorder", "kg:causeUnknown", "True")}),
]


@pytest.mark.parametrize(("case", "sentence", "expected"), CAUSES, ids=[c[0] for c in CAUSES])
def test_causes(case: str, sentence: str, expected: set[tuple[str, str, str]]) -> None:
    assert read("Causes", sentence) == expected


CAUSES_NOT = [
    ("no gene named", "Mutations in other genes may cause the disorder in some families."),
    ("a gene's function", "The TRPV4 gene provides instructions for making a calcium channel."),
    ("genes studied", "Researchers are studying the NOD2 gene in people with the disorder."),
]


@pytest.mark.parametrize(("case", "sentence"), CAUSES_NOT, ids=[c[0] for c in CAUSES_NOT])
def test_sentences_that_name_no_cause(case: str, sentence: str) -> None:
    assert not {f for f in read("Causes", sentence) if f[1] in {"kg:causes", "kg:relatedGene"}}


def inherited(*patterns: str) -> set[tuple[str, str, str]]:
    return {("Example disorder", "kg:hasModeOfInheritance", p) for p in patterns}


INHERITANCE = [
    ("inherited in", "This condition is inherited in an autosomal dominant pattern.", inherited("autosomal dominant")),
    ("follows", "The disorder follows an X-linked recessive pattern of inheritance.", inherited("X-linked recessive")),
    ("has a pattern", "This condition has a mitochondrial pattern of inheritance.", inherited("mitochondrial")),
    ("X-linked alone", "The disorder is inherited in an X-linked pattern.", inherited("X-linked")),
    ("two patterns", "It can be inherited in an autosomal dominant or an autosomal recessive pattern.",
     inherited("autosomal dominant", "autosomal recessive")),
    ("not inherited", "Most cases of the disorder are not inherited.", inherited("sporadic")),
    ("sporadic", "The disorder usually occurs in people with no family history (sporadic).", inherited("sporadic")),
    ("a trait, not a pattern", ("A characteristic of X-linked inheritance is that fathers cannot pass X-linked traits "
                               "to their sons."), set()),
    ("new mutations are not sporadic inheritance", ("Some cases result from new mutations in the gene and occur in "
                                                   "people with no history of the disorder in their family."), set()),
]


@pytest.mark.parametrize(("case", "sentence", "expected"), INHERITANCE, ids=[c[0] for c in INHERITANCE])
def test_inheritance(case: str, sentence: str, expected: set[tuple[str, str, str]]) -> None:
    assert {f for f in read("Inheritance", sentence) if f[1] == "kg:hasModeOfInheritance"} == expected


def phenotypes(sentence: str) -> set[tuple[str, str]]:
    """(HPO term, occurrence or '') of each phenotype a Description sentence gives."""
    page = Page("https://medlineplus.gov/genetics/condition/example/", "condition", "example", "Example disorder",
                {"Description": Section("Description", sentence, 1)})
    return {(f.object.name, dict(f.qualifiers).get("kg:occurrence", "") and dict(f.qualifiers)["kg:occurrence"].name)
            for f in extract(page, LEXICON).facts if f.predicate == "kg:hasPhenotype"}  # type: ignore[union-attr]


MAPS = [
    ("pneumonia is Pneumonia", "Common infections include pneumonia and ear infections.",
     {("HP:0002090", "Common"), ("HP:0000403", "Common")}),
    ("recurrent pneumonia", "Affected children have recurrent pneumonia.", {("HP:0006532", "")}),
    ("frequent bouts of pneumonia", "Affected children have frequent bouts of pneumonia.", {("HP:0006532", "")}),
    ("CNS infections, bracketed", "They may develop brain and spinal cord (central nervous system) infections.",
     {("HP:0011450", "MayDevelop")}),
    ("frequent infections is a feature, not a frequency", "People with this condition have frequent infections.",
     {("HP:0002719", "")}),
]
MAPS_NOT = [
    ("the CNS named, no infection", "The protein is active in the central nervous system and the liver."),
    ("tumor-free text", "The condition affects the way the body stores iron."),
]


@pytest.mark.parametrize(("case", "sentence", "expected"), MAPS, ids=[c[0] for c in MAPS])
def test_phrases_map_to_what_the_sentence_says(case: str, sentence: str, expected: set[tuple[str, str]]) -> None:
    assert phenotypes(sentence) == expected


@pytest.mark.parametrize(("case", "sentence"), MAPS_NOT, ids=[c[0] for c in MAPS_NOT])
def test_sentences_that_must_not_map(case: str, sentence: str) -> None:
    assert phenotypes(sentence) == set()


NAMES = [
    ("abbreviation, number", "HIGM1 Hyper-IgM syndrome 1 Immunodeficiency with Hyper-IgM, type 1",
     ["HIGM1", "Hyper-IgM syndrome 1", "Immunodeficiency with Hyper-IgM, type 1"]),
    ("symbols", "CD154 CD40L TNFSF5 TRAP", ["CD154", "CD40L", "TNFSF5", "TRAP"]),
    ("capital after lower case", "TSC Tuberous sclerosis Bourneville disease", ["TSC", "Tuberous sclerosis", "Bourneville disease"]),
    ("mixed case stays inside", "Immunodeficiency with hyper IgM type 3", ["Immunodeficiency with hyper IgM type 3"]),
    ("a letter stays inside", "Hemophilia A Factor VIII deficiency", ["Hemophilia A Factor VIII deficiency"]),
    ("lower-case run left whole", "Parastremmatic dwarfism metatropic dysplasia type I",
     ["Parastremmatic dwarfism metatropic dysplasia type I"]),
]


@pytest.mark.parametrize(("case", "text", "expected"), NAMES, ids=[c[0] for c in NAMES])
def test_other_names_split_only_on_evidence(case: str, text: str, expected: list[str]) -> None:
    assert list(split_names(text)) == expected
