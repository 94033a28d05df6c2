"""The genes a sentence names as behind the page's condition: the phrasing table and its grammar.
Pure: a sentence in, `Mention`s out.

Every row of `PHRASINGS` is one way the site words it, with an example sentence of our own that
the tests read. The rows are built from a few parts: the words for a change (`CHANGES`, "a
mutation" for the singular), a cause before ("caused by") or after ("… cause"), and a list of
symbols (`AAA1, BBB2, or CCC3`, an alias in brackets kept as the gene's alias). Every row that
fits a sentence is read; a gene gets the strongest link any of them gives. Guards keep out what
is not a statement about the page's condition: a negation ("do not cause"), another condition
("can also cause a similar disorder called …"), a modifier ("… modify the severity"), and, for
the two "associated with" rows, a subject or object that is not the condition itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .symbols import SYMBOL, SYMBOL_WORD

CHANGES = r"(?:[Mm]utations|[Vv]ariants|[Cc]hanges|[Aa]lterations|[Dd]efects|[Dd]eletions)(?: \([^)]*\))?"
A_CHANGE = (r"(?:[Aa]n?|[Oo]ne) (?:single |specific |particular |common )?"
            r"(?:mutation|variant|change|alteration|defect)(?: \([^)]*\))?")
BEFORE = r"(?:caused by|results? from|resulting from|due to|responsible for|the result of)(?: [a-z]+){0,2}"
CAUSE = (r"(?:cause|causes|are responsible for|is responsible for|leads? to|results? in|underlies|underlie|"
         r"(?:are|is) the (?:most common |main |major |primary |usual |only )?causes? of)\b")
BETWEEN = r"(?:,? [a-z]+){0,8}?"
NUMBER = (r"(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\d+|several|many|multiple|a few|"
          r"a number of)")
COUNTED = (rf"(?:(?:one|any|either|each) of (?:the )?|at least |more than |about |over )?{NUMBER} "
           r"(?:different |other |related |known |separate )?genes?")
ALIAS = rf" \((?:also (?:known as|called)|formerly(?: known as| called)?|previously (?:known as|called)) {SYMBOL}\)"
ITEM = rf"{SYMBOL}(?: genes?)?(?: \([^()]{{1,60}}\))?"  # a bracket after a symbol: its alias, or words left aside
SEP = r"(?:,? (?:and|or|and/or) (?:in )?(?:the )?|, (?:the )?)"
LIST = rf"{ITEM}(?:{SEP}{ITEM}){{0,40}}"  # bounded: a hostile run of symbols costs linear time
ALIAS_IN = re.compile(rf"\((?:also (?:known as|called)|formerly(?: known as| called)?|previously (?:known as|called)) "
                      rf"(?P<alias>{SYMBOL})\)")
NEGATION = re.compile(r"\b(?:not|never|no longer|cannot|neither|nor|without)\b")
MODIFIER = re.compile(r"\bmodif(?:y|ies|ying|ier|iers)\b|\binfluences? (?:the )?severity\b")
ANOTHER = re.compile(r"^(?:the |a |an )?(?:[a-z,-]+ ){0,5}?(?:disorders?|conditions?|diseases?|syndromes?) "
                     r"(?:called|known as|named)\b|^(?:(?:an?other|other|several other|some other)|"
                     r"(?:a |an )?(?:similar|related|different|separate))\b")
CONDITION = r"(?:conditions?|disorders?|diseases?|syndromes?)"
SELF = re.compile(rf"\b(?:this|the|these)(?: [a-z]+)? {CONDITION}\b|\baffected\b", re.IGNORECASE)
SELF_START = re.compile(rf"^(?:it\b|they\b|(?:this|the|these)(?: [a-z]+)? {CONDITION}\b(?!['’])|(?:all |most |many |some |the )?"
                        rf"(?:[a-z]+ )?(?:cases|forms?|types?) of (?:this|the|these)(?: [a-z]+)? {CONDITION}\b)",
                        re.IGNORECASE)
PART_OF = re.compile(r"^(?:all |most |many |some |the )?(?:[a-z]+ )?(?:cases|forms?|types?) of (?:the )?", re.IGNORECASE)
OTHER_WORDS = re.compile(r"\b(?:related|similar|another|other|different|separate)\b")
OTHER_SUBJECT = re.compile(rf"\b(?:an? (?:related|similar|different|separate)|another)(?: [a-z-]+){{0,2}} {CONDITION}\b",
                           re.IGNORECASE)
OTHER_CONDITION = re.compile(rf"\b(?:an? (?:related|similar|different|separate)|another|(?:several |some |many )?other)"
                             rf"(?: [a-z-]+){{0,2}} {CONDITION}", re.IGNORECASE)
VERB_LAST = re.compile(rf"{CAUSE}$")
MECHANISM = re.compile(r"^(?:the |an? )?(?:production|absence|loss|lack|shortage|reduction|decrease|increase|buildup|"
                       r"build-up|accumulation|deficiency|disruption|formation|synthesis|activity|function)\b|"
                       r"^(?:an? |the )?(?:abnormal|altered|nonfunctional|defective|shortened|unstable|faulty|reduced|"
                       r"decreased|increased|impaired|little|no)\b|^(?:the |an? |this )?(?:protein|enzyme|channel)s?\b")


@dataclass(frozen=True)
class Phrasing:
    """One way the site says which genes are behind a condition: the words around the genes, what
    that makes the link, how the gene was found, and an example sentence (ours) the tests read."""

    name: str
    pattern: re.Pattern[str]
    relation: str  # causes, associated, risk, unknown
    example: str
    basis: str = "StatedCause"  # StatedCause, StatedAssociation, Deletion (kg: individuals)
    check: str = ""  # "subject", "object": that group is the condition; "tail", "people": they name it
    weak: bool = False  # not read in a sentence that speaks of modifying or severity


@dataclass(frozen=True)
class Mention:
    """A gene a sentence links to the condition."""

    symbol: str
    relation: str
    basis: str
    alias: str | None = None


def shape(*alternatives: str) -> re.Pattern[str]:
    """Alternatives, each with one `<GENES>` ("AAA1 and BBB2 genes", after "the") or `<LIST>`
    (bare symbols) slot, as one pattern with a named group per slot."""
    parts = [alternative.replace("<GENES>", rf"(?P<genes{i}>{LIST} genes?(?:{ALIAS})?)")
             .replace("<LIST>", rf"(?P<genes{i}>{LIST})") for i, alternative in enumerate(alternatives)]
    return re.compile("|".join(f"(?:{part})" for part in parts))


IN_THE = r"in (?:or near )?(?:either |both |one of )?the"
PHRASINGS = (
    Phrasing("changes in the X gene cause", shape(rf"{CHANGES} {IN_THE} <GENES>{BETWEEN} {CAUSE}"),
             "causes", "Variants in the TRPV4 gene cause this skeletal disorder."),
    Phrasing("X gene mutations cause", shape(rf"(?<![\w-])<LIST> gene (?:mutations|variants|changes|alterations)"
                                             rf"{BETWEEN} {CAUSE}"),
             "causes", "MECP2 gene mutations cause most cases of this disorder."),
    Phrasing("caused by changes in the X, Y, or Z gene", shape(rf"{BEFORE} {CHANGES} {IN_THE} <GENES>"),
             "causes", "The disorder is caused by mutations in the MT-ND1, MT-ND4, or MT-ND6 gene."),
    Phrasing("caused by a change in the X gene", shape(rf"{BEFORE} {A_CHANGE} {IN_THE} <GENES>"),
             "causes", "This form of deafness is caused by a single mutation in the GJB2 gene."),
    Phrasing("a change in the X gene causes", shape(rf"{A_CHANGE} {IN_THE} <GENES>{BETWEEN} {CAUSE}"),
             "causes", "A variant in the SCN1A gene causes the seizures in most families."),
    Phrasing("changes in the X gene (also known as Y) cause",
             shape(rf"{CHANGES} {IN_THE} (?P<genes0>{SYMBOL} genes?{ALIAS}){BETWEEN} {CAUSE}"),
             "causes", "Mutations in the KMT2D gene (also known as MLL2) cause most cases of the syndrome."),
    Phrasing("caused by changes in one of three genes: X, Y, or Z",
             shape(rf"{BEFORE} {CHANGES} in {COUNTED}(?: \([^)]*\))?: <LIST>",
                   rf"{CHANGES} in {COUNTED}{BETWEEN} {CAUSE}(?P<aside>[^:;]{{0,80}}): <LIST>"),
             "causes", "The condition is caused by variants in one of four genes: COL4A3, COL4A4, COL4A5, or MYH9."),
    Phrasing("changes in at least three genes, X, Y, and Z, cause",
             shape(rf"{CHANGES} in {COUNTED}, (?:namely )?<LIST>,{BETWEEN} {CAUSE}",
                   rf"{BEFORE} {CHANGES} in {COUNTED}, (?:namely )?<LIST>(?=[,.;]|$)"),
             "causes", "Variants in at least three genes, SCN5A, KCNH2 and KCNQ1, cause the irregular heartbeat."),
    Phrasing("changes in one of several genes, including X and Y",
             shape(rf"{BEFORE} (?:{CHANGES}|{A_CHANGE}) in {COUNTED},? (?:including|such as) <LIST>",
                   rf"{CHANGES} in {COUNTED},? (?:including|such as) <LIST>,{BETWEEN} {CAUSE}"),
             "causes", "It results from mutations in one of several genes, including LMNA and EMD."),
    Phrasing("the genes most often involved are X, Y, and Z",
             shape(r"\b[Tt]he genes? (?:most |more )?(?:often |commonly |frequently )?(?:involved|affected)"
                   r"(?P<aside> in [^,;:]{1,60}?)? (?:are|is|include) <LIST>"),
             "causes", "The genes most often involved are BBS1, BBS10, BBS2, and MKKS.", weak=True),
    Phrasing("the most commonly mutated gene is X",
             shape(r"\b[Tt]he (?:genes? )?most (?:often|commonly|frequently) (?:mutated|altered)(?: genes?)?"
                   r"(?P<aside> in [^,;:]{1,60}?)? (?:are|is|include) <LIST>",
                   r"(?<![\w-])<LIST> (?:is|are) the (?:genes? )?most (?:often|commonly|frequently) (?:mutated|altered)"),
             "causes", "The most commonly mutated gene in this form of cancer is APC.", weak=True),
    Phrasing("changes in the X gene account for", shape(rf"{CHANGES} {IN_THE} <GENES>{BETWEEN} accounts? for"),
             "causes", "Variants in the PKD1 gene account for about 85 percent of cases."),
    Phrasing("changes in the X gene are found in",
             shape(rf"{CHANGES} {IN_THE} <GENES> (?:are|have been|were) (?:[a-z]+ )?(?:found|identified|detected) in",
                   rf"{CHANGES} (?:are|have been|were) (?:[a-z]+ )?(?:found|identified|detected) {IN_THE} <GENES>"),
             "causes", "Mutations in the ATP7B gene are found in nearly everyone with the disorder.",
             check="tail", weak=True),
    Phrasing("people with the condition have changes in the X gene",
             shape(r"(?P<people>\b(?:[Mm]ost |[Mm]any |[Ss]ome |[Aa]ll |[Nn]early all |[Aa]bout \d+ percent of )?"
                   r"(?:people|individuals|children|patients|families)(?: with (?:(?!who\b|that\b|whose\b)[^,;]){1,60}?)?"
                   r"|\b[Aa]ffected (?:people|individuals|children|families)) (?:have|carry) "
                   rf"(?:{CHANGES}|{A_CHANGE}) {IN_THE} <GENES>"),
             "causes", "Most people with this disorder have variants in the SLC26A4 gene.", check="people", weak=True),
    Phrasing("an altered X gene",
             shape(rf"{BEFORE} (?:an? |the )?altered (?:copy of the |copies of the |version of the )?<GENES>",
                   r"\b[Tt]he <GENES> (?:is|are) (?:[a-z]+ )?altered in"),
             "causes", "In most families, the disorder is caused by an altered FMR1 gene.", weak=True),
    Phrasing("changes in or near the X gene",
             shape(rf"{CHANGES} in or near the <GENES>{BETWEEN} {CAUSE}", rf"{BEFORE} {CHANGES} in or near the <GENES>"),
             "causes", "Variants in or near the IRF6 gene cause some cases of the cleft lip."),
    Phrasing("changes involving the X gene",
             shape(rf"{CHANGES} (?:involving|affecting|within) the <GENES>{BETWEEN} {CAUSE}",
                   rf"{BEFORE} {CHANGES} (?:involving|affecting|within) the <GENES>"),
             "causes", "Changes involving the PMP22 gene cause most cases of the neuropathy."),
    Phrasing("changes in a gene called X",
             shape(rf"(?:{CHANGES}|{A_CHANGE}) in a (?:single |specific )?gene (?:called|named|known as) <LIST>"
                   rf"{BETWEEN} {CAUSE}",
                   rf"{BEFORE} (?:{CHANGES}|{A_CHANGE}) in a (?:single |specific )?gene (?:called|named|known as) <LIST>"),
             "causes", "Mutations in a gene called NF2 cause the tumors of this disorder."),
    Phrasing("deletion of the X, Y, and Z genes",
             shape(rf"{BEFORE} (?:an? )?deletions? of (?:the |part of the )?<GENES>",
                   rf"\b[Dd]eletions? of (?:the |part of the )?<GENES>{BETWEEN} {CAUSE}"),
             "causes", "The syndrome is caused by a deletion of the SHOX, ARSL, and NLGN4X genes.", "Deletion"),
    Phrasing("loss of a functional X gene",
             shape(rf"{BEFORE} (?:the )?loss of (?:a |one |the |both )?(?:functional |working |normal |active )?"
                   r"(?:copy of the |copies of the )?<GENES>",
                   r"\b[Ll]oss of (?:a |one |the |both )?(?:functional |working |normal |active )?"
                   rf"(?:copy of the |copies of the )?<GENES>{BETWEEN} {CAUSE}"),
             "causes", "Loss of a functional UBE3A gene in the brain causes the features of the disorder.", "Deletion"),
    Phrasing("loss of the X gene is associated with",
             shape(r"\b(?:[Ll]oss|[Dd]eletion)s? of (?:a |one |the )?(?:functional |working )?<GENES>"
                   rf"{BETWEEN} (?:is|are|has been|have been) (?:associated|linked) with"),
             "associated", "The loss of the ELN gene is associated with the heart problems.", "Deletion"),
    Phrasing("CONDITION is associated with changes in the X, Y, and Z genes",
             shape(rf"(?:^|(?<=, ))(?P<subject>[^,;:]+?) (?:is|are|has been|have been)(?: [a-z]+)? (?:associated|linked) with "
                   rf"{CHANGES} {IN_THE} <GENES>"),
             "associated", "This condition is associated with changes in the SLC40A1, TFR2, and HAMP genes.",
             "StatedAssociation", "subject", True),
    Phrasing("the X and Y genes are associated with CONDITION",
             shape(r"\b[Tt]he <GENES> (?:is|are|has been|have been)(?: [a-z]+)? (?:associated|linked) with "
                   r"(?P<object>[^,;.]+)"),
             "associated", "The PTPN22 and HLA-DRB1 genes are associated with this disease.",
             "StatedAssociation", "object", True),
    Phrasing("changes in the X gene have been associated with",
             shape(rf"{CHANGES} {IN_THE} <GENES>(?: [a-z]+){{0,4}} (?:(?:have|has) been|are|is) (?:associated|linked) with"),
             "associated", "Variants in the APOE gene have been associated with this disease.", "StatedAssociation"),
    Phrasing("changes in the X gene increase the risk",
             shape(rf"{CHANGES} {IN_THE} <GENES>(?: [a-z]+){{0,4}} (?:increases?|raises?) the risk\b"),
             "risk", "Mutations in the BRCA1 or BRCA2 gene increase the risk of this cancer.", "StatedAssociation"),
    Phrasing("the cause is unknown", re.compile(
        r"\b(?:the )?causes? of (?:this condition|this disorder|the condition|the disorder|[A-Za-z -]+?) "
        r"(?:is|are|remains?) unknown|\bcause is (?:still )?unknown\b"),
        "unknown", "The cause of this condition is unknown.", ""),
)
STRENGTH = {"causes": 0, "associated": 1, "risk": 2}
NEAR = 300  # characters either side of a match that the guards read (a clause; bounded for hostile input)


def listed(span: str) -> list[tuple[str, str | None]]:
    """The symbols of a list ("AAA1 gene (also known as BBB9), BBB2 and CCC3"), each with the
    alias named in brackets after it; an alias is never a gene of its own."""
    found: list[tuple[str, str | None]] = []
    for match in re.finditer(rf"\([^)]*\)|{SYMBOL_WORD.pattern}", span):
        word = match.group(0)
        if not word.startswith("("):
            found.append((word, None))
        elif found and (alias := ALIAS_IN.fullmatch(word)):
            found[-1] = (found[-1][0], alias["alias"])
    return found


def about_self(text: str, names: tuple[str, ...]) -> bool:
    """Whether a subject or object is the page's condition ("this disorder", "most cases of the
    condition", its name or another of its names)."""
    text = text.strip()
    if OTHER_WORDS.search(text.lower()):
        return False
    bare = PART_OF.sub("", text).lower()
    return bool(SELF_START.match(text)) or any(bare.startswith(n.lower()) for n in names if n)


def names_self(text: str, names: tuple[str, ...]) -> bool:
    """Whether a text speaks of the page's condition anywhere in it."""
    return bool(SELF.search(text)) or any(n.lower() in text.lower() for n in names if n)


def _clause(text: str) -> str:
    return re.split(r";|, (?:but|while|whereas|although|unlike)\b", text, maxsplit=1)[0]


def _fits(phrasing: Phrasing, match: re.Match[str], sentence: str, names: tuple[str, ...]) -> bool:
    """Whether a match states a link to the page's condition (see the module's guards)."""
    words = match.group(0)
    if NEGATION.search(words) or MODIFIER.search(words) or (phrasing.weak and MODIFIER.search(sentence)):
        return False
    if phrasing.check in {"subject", "object"} and not about_self(match[phrasing.check], names):
        return False
    if phrasing.check == "people" and not (names_self(match["people"], names) or "ffected" in match["people"]):
        return False  # "… people with a related disorder have …"
    head = sentence[max(0, match.start() - NEAR):match.start()].rsplit(";", 1)[-1]
    tail = _clause(sentence[match.end():match.end() + NEAR]).strip(" ,")
    if OTHER_SUBJECT.search(head) or MODIFIER.search(tail) or OTHER_WORDS.search(match.groupdict().get("aside") or ""):
        return False
    if OTHER_CONDITION.search(tail) and not names_self(tail, names):
        return False  # "… account for a few cases of a related disorder"
    rest = f"{match.groupdict().get('object') or ''} {tail}"
    if (phrasing.check == "tail" or re.search(r"\balso\b", words)) and not names_self(rest, names):
        return False  # "… are also found in people with another disorder"
    if VERB_LAST.search(words) and MECHANISM.match(tail):  # what the gene's changes do to its product
        return False
    return not (ANOTHER.match(tail) and not names_self(tail, names))


def mentions(sentence: str, names: tuple[str, ...]) -> tuple[list[Mention], bool]:
    """The genes a sentence links to the condition named `names` (strongest link per gene), and
    whether it says the cause is unknown."""
    best: dict[str, Mention] = {}
    unknown = False
    for phrasing in PHRASINGS:
        for match in phrasing.pattern.finditer(sentence):
            if phrasing.relation == "unknown":
                unknown = True
                continue
            if not _fits(phrasing, match, sentence, names):
                continue
            span = next(v for k, v in match.groupdict().items() if k.startswith("genes") and v)
            for symbol, alias in listed(span):
                mention = Mention(symbol, phrasing.relation, phrasing.basis, alias)
                held = best.get(symbol)
                if held is None or STRENGTH[mention.relation] < STRENGTH[held.relation]:
                    best[symbol] = Mention(symbol, mention.relation, mention.basis, alias or (held and held.alias))
    return list(best.values()), unknown
