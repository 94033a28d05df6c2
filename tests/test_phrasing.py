"""The MedlinePlus sentence readers, phrasing by phrasing: each table row is a sentence in our
own words and what it must (or must not) give. Pages are built in memory; nothing is loaded."""

from __future__ import annotations

import pytest

from loaders.medlineplus.causes import mentions
from loaders.medlineplus.extract import PHRASINGS, extract, split_names
from loaders.medlineplus.lexicon import Lexicon
from loaders.medlineplus.page import Page, Section
from loaders.medlineplus.records import Extraction
from loaders.medlineplus.symbols import hpo_symbols

LEXICON = Lexicon.read()


def extraction(heading: str, text: str, kind: str = "condition") -> Extraction:
    page = Page("https://medlineplus.gov/genetics/condition/example/", kind, "example", "Example disorder",
                {heading: Section(heading, text, 1)})
    return extract(page, LEXICON)


def read(heading: str, text: str, kind: str = "condition") -> set[tuple[str, str, str]]:
    """(subject, predicate, object) of the facts one section gives, names as written."""
    return {(f.subject.name, f.predicate, getattr(f.object, "name", str(f.object)))
            for f in extraction(heading, text, kind).facts
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
    symbols = {m.symbol for m in mentions(phrasing.example, ("Example disorder",))[0]}
    assert symbols <= hpo_symbols(), "examples name genes HGNC is known to have here"
    linked = {f[0] for f in read("Causes", phrasing.example)} | {f[2] for f in read("Causes", phrasing.example)}
    assert symbols <= linked, phrasing.example  # every gene the row reads is linked


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
    ("are associated with", "Mutations in the SNCA gene are associated with the disorder.", related("SNCA")),
    ("increase the risk", "Mutations in the BRCA1 or BRCA2 gene increase the risk of the disorder.",
     related("BRCA1", "BRCA2")),
    ("cause unknown", "The cause of this disorder is unknown.", {("Example disorder", "kg:causeUnknown", "True")}),
    # lists introduced by a colon or a phrase
    ("colon list", "The disorder results from variants in one of three genes: GJB2, GJB6, or OTOF.",
     causes("GJB2", "GJB6", "OTOF")),
    ("colon list with a typo'd symbol", "The disorder results from variants in one of three genes: GJB2, GJBB6, or OTOF.",
     causes("GJB2", "OTOF")),  # GJBB6 is not known: left out, reported
    ("colon after the verb", "Mutations in three genes have been shown to cause the disorder: PAX3, MITF, and SOX10.",
     causes("PAX3", "MITF", "SOX10")),
    ("the genes most often involved", "The genes most commonly involved in the disorder are COL1A1 and COL1A2.",
     causes("COL1A1", "COL1A2")),
    ("at least N genes, X, Y and Z,", "Changes in at least three genes, SMN1, PKD1 and PKD2, cause the signs.",
     causes("SMN1", "PKD1", "PKD2")),
    ("one of several genes, including", ("The disorder is caused by mutations in one of several genes, including CHD7 "
     "and SOX10."), causes("CHD7", "SOX10")),
    # "associated with", both ways
    ("the condition associated with the genes", "Example disorder is associated with changes in the LEP and LEPR genes.",
     related("LEP", "LEPR")),
    ("the genes associated with the condition", "The HBB and TFR2 genes are associated with most cases of the disorder.",
     related("HBB", "TFR2")),
    # the singular
    ("caused by a mutation", "Most cases are caused by a mutation in the DMD gene.", causes("DMD")),
    ("a mutation causes", "A specific variant in the HAMP gene causes the disorder in one family.", causes("HAMP")),
    # other verbs and phrases
    ("account for", "Mutations in the MYO15A gene account for a few cases.", causes("MYO15A")),
    ("most commonly mutated, symbol first", "TMC1 is the gene most commonly mutated in this disorder.", causes("TMC1")),
    ("are found in", "Variants in the SLC26A4 gene are found in many people with the disorder.", causes("SLC26A4")),
    ("people with the condition have", "About 40 percent of people with Example disorder have mutations in the GJB2 gene.",
     causes("GJB2")),
    ("affected people carry", "Affected individuals carry a variant in the TMC1 gene.", causes("TMC1")),
    ("is altered in", "The EDNRB gene is altered in some people with the disorder.", causes("EDNRB")),
    ("in or near", "Changes in or near the IRF6 gene cause about 70 percent of cases.", causes("IRF6")),
    ("involving", "Mutations involving the MECP2 gene cause a severe form of the disorder.", causes("MECP2")),
    ("a gene called", "The disorder is caused by mutations in a gene called LMNA.", causes("LMNA")),
    # deletions and losses
    ("deletion of several genes", "Deletion of the DMD, GK, and NR0B1 genes causes the disorder.",
     causes("DMD", "GK", "NR0B1")),
    ("loss of a functional gene", "The disorder is caused by loss of a functional SMN1 gene.", causes("SMN1")),
    ("loss associated", "Loss of the LIMK1 gene is associated with the visual-spatial problems.", related("LIMK1")),
    # an alias in brackets: the gene's synonym, never a gene
    ("an alias in brackets", "Variants in the KMT2D gene (formerly known as MLL2) cause the disorder.",
     causes("KMT2D") | {("KMT2D", "skos:altLabel", "MLL2")}),
    ("a subtype in brackets is left aside", ("Mutations in one of several genes, including KRT5 and KRT14 (type EBS-K14), "
     "cause the disorder."), causes("KRT5", "KRT14")),
]


@pytest.mark.parametrize(("case", "sentence", "expected"), CAUSES, ids=[c[0] for c in CAUSES])
def test_causes(case: str, sentence: str, expected: set[tuple[str, str, str]]) -> None:
    assert read("Causes", sentence) == expected


CAUSES_NOT = [
    ("no gene named", "Mutations in other genes may cause the disorder in some families."),
    ("a gene's function", "The TRPV4 gene provides instructions for making a calcium channel."),
    ("genes studied", "Researchers are studying the NOD2 gene in people with the disorder."),
    ("a modifier", "Variants in the TGFB1 gene modify the severity of the lung problems in people with the disorder."),
    ("a modifier, associated", "The MBL2 gene is associated with the disorder's severity."),
    ("a modifier, found in", "Variants in the EDNRB gene are found in people with the disorder and modify its course."),
    ("negated", "Variants in the GJB2 gene do not cause this form of the disorder."),
    ("a hormone made from a gene", "A shortage of a hormone made from the POMC gene causes the disorder."),
    ("subtype names next to a list", "The disorder is divided into types named for the altered gene: EBS-K5 and EBS-K14."),
    ("subtype names after a colon list", "The types of the disorder are named after the genes: PC-K16 and PC-K17."),
    ("a typo'd symbol", "Mutations in the CFTRR gene cause the disorder."),
    ("DNA is not a gene", "Changes in mitochondrial DNA cause the disorder."),
    ("HLA is not a gene symbol", "Certain variants of the HLA genes are associated with the disorder."),
    ("another condition", "Mutations in the SCN1A gene can also cause a related but milder disorder called febrile seizures."),
    ("another condition, also", "Variants in the FBN1 gene are also found in people with a different syndrome."),
    ("a related condition as subject", "A related disorder, Foo syndrome, is caused by variants in the KCNQ1 gene."),
    ("without the gene's mutations", "Some people have the features of the disorder but without CFTR gene mutations."),
    ("what the changes do to the protein", "Variants in the TRPV4 gene lead to the production of an overactive channel."),
    ("the genes of another disease", "The BRCA1 and BRCA2 genes are associated with many types of cancer."),
    ("a colon list for related disorders", "Mutations in two genes cause related disorders: KRT6A and KRT16."),
    ("apposition, another disorder", "Variants in at least two genes, KRT5 and KRT14, cause a related skin disorder."),
    ("including, other disorders", "Mutations in several genes, including KRT5 and KRT14, cause other blistering disorders."),
    ("most often involved elsewhere", "The genes most often involved in a related disorder are KRT5 and KRT14."),
    ("most commonly mutated elsewhere", "The most commonly mutated gene in other cancers is TP53."),
    ("account for, another disorder", "Variants in the KRT5 gene account for a few cases of a related disorder."),
    ("altered in another disorder", "The KRT5 gene is altered in a related disorder."),
    ("in or near, another disorder", "Variants in or near the IRF6 gene cause a similar condition."),
    ("involving, another disorder", "Changes involving the PMP22 gene cause a different neuropathy called HNPP."),
    ("a gene called, studied", "Researchers are studying a gene called RAP1A in affected families."),
    ("deletion, another disorder", "Deletion of the DMD gene causes a different disorder."),
    ("deletion, not included", "The deleted region does not include the GK gene."),
    ("loss, negated", "Loss of a functional UBE3A gene does not cause this form of the disorder."),
    ("loss associated, negated", "The loss of the ELN gene is not associated with the learning problems."),
    ("the singular, negated", "A mutation in the GJB2 gene does not cause this form of the disorder."),
    ("a related condition associated", "A related disorder, Foo syndrome, is associated with changes in the KRT5 gene."),
    ("a typo'd symbol, singular", "Most cases are caused by a mutation in the GJBB2 gene."),
    ("people with another disorder", "Some people with a related disorder have mutations in the GJB2 gene."),
    ("people who have a modifier", "People with the disorder who have variants in the MBL2 gene have more severe infections."),
    ("people in general", "Many people have variants in the APOE gene."),
    ("associated with other disorders", "Mutations in the SNCA gene are associated with other movement disorders."),
]


@pytest.mark.parametrize(("case", "sentence"), CAUSES_NOT, ids=[c[0] for c in CAUSES_NOT])
def test_sentences_that_name_no_cause(case: str, sentence: str) -> None:
    assert not {f for f in read("Causes", sentence) if f[1] in {"kg:causes", "kg:relatedGene"}}


FOUND_AS = [
    ("stated cause", "Mutations in the PKD2 gene cause the disorder.", {"PKD2": "StatedCause"}),
    ("stated association", "Variants in the APOE gene have been associated with the disorder.", {"APOE": "StatedAssociation"}),
    ("risk is an association", "Variants in the BRCA2 gene increase the risk of the disorder.", {"BRCA2": "StatedAssociation"}),
    ("deletion", "The disorder is caused by a deletion of the ELN and LIMK1 genes.", {"ELN": "Deletion", "LIMK1": "Deletion"}),
    ("the stronger of two", ("Mutations in the GJB2 gene have been associated with the disorder. Mutations in the GJB2 gene "
     "cause most cases."), {"GJB2": "StatedCause"}),
]


@pytest.mark.parametrize(("case", "text", "expected"), FOUND_AS, ids=[c[0] for c in FOUND_AS])
def test_each_gene_is_marked_by_how_it_was_found(case: str, text: str, expected: dict[str, str]) -> None:
    found = extraction("Causes", text)
    assert found.genes == expected
    marks = {(f.subject.name, dict(f.qualifiers)["kg:linkBasis"].name) for f in found.facts  # type: ignore[union-attr]
             if f.predicate in {"kg:causes", "kg:relatedCondition"}}
    assert {gene for gene, _ in marks} == set(expected)


def test_a_symbol_not_known_is_left_out_and_reported() -> None:
    found = extraction("Causes", "Mutations in the CFTRR gene cause the disorder.")
    assert found.genes == {} and any("'CFTRR'" in w and "left out" in w for w in found.warnings)


def test_a_symbol_the_page_lists_is_known() -> None:
    """ATG16L1 is not in the bundled HPO release's genes: taken only when the page lists it."""
    sentence = "Example disorder is associated with changes in the NOD2 and ATG16L1 genes."
    assert set(extraction("Causes", sentence).genes) == {"NOD2"}
    listed = f"{sentence} Learn more about the genes associated with Example disorder ATG16L1 NOD2"
    assert extraction("Causes", listed).genes == {"NOD2": "StatedAssociation", "ATG16L1": "StatedAssociation"}


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
    ("is an autosomal dominant condition", "The disorder is an autosomal dominant condition.", inherited("autosomal dominant")),
    ("is considered a disorder", "It is considered an autosomal recessive disorder by most researchers.",
     inherited("autosomal recessive")),
    ("as a trait", "The disorder is passed down as an X-linked dominant trait.", inherited("X-linked dominant")),
    ("the middle of a list", "It can follow an autosomal dominant, autosomal recessive, or X-linked recessive pattern.",
     inherited("autosomal dominant", "autosomal recessive", "X-linked recessive")),
    ("the past alone", "In the past, the disorder was thought to follow an X-linked recessive pattern.", set()),
    ("the past, then now", ("The disorder was once believed to be an autosomal recessive disorder, but it is now known to "
                           "follow an autosomal dominant pattern."), inherited("autosomal dominant")),
    ("sporadic, another form", "Another form of the disorder is sporadic.", set()),
    ("sporadic, a related condition", "A related condition, called Foo syndrome, is usually sporadic.", set()),
    ("sporadic here, not there", "Most cases of the disorder are sporadic; a related condition is inherited.",
     inherited("sporadic")),
    ("other disorders named", "Some affected people have features of other autosomal dominant disorders.", set()),
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
