"""Each group of facts of the default graph, asked as a user would ask it in SPARQL."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from conftest import Rows

MONDO = "http://purl.obolibrary.org/obo/MONDO_0010626"
HGNC_CD40LG = "https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/11935"
HGNC_CD40 = "https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/11919"
P29965 = "http://purl.uniprot.org/uniprot/P29965"
P25942 = "http://purl.uniprot.org/uniprot/P25942"
T_CELL = "http://purl.obolibrary.org/obo/CL_0000084"
B_CELL = "http://purl.obolibrary.org/obo/CL_0000236"
PAGE = "https://medlineplus.gov/genetics/condition/x-linked-hyper-igm-syndrome/"

CASES: list[tuple[str, str, set[tuple[str, ...]]]] = [
    (
        "done-when: gene, protein, its cells, receptor, receptor cells — from the synonym HIGM1",
        """SELECT ?gene ?protein ?cell ?receptor ?receptorCell WHERE {
             ?condition skos:altLabel "HIGM1" ; a kg:Condition .
             ?gene kg:causes ?condition ; kg:encodes ?protein .
             ?protein kg:locatedOnSurfaceOf ?cell ; kg:hasReceptor ?receptor .
             ?receptor kg:locatedOnSurfaceOf ?receptorCell }""",
        {(HGNC_CD40LG, P29965, T_CELL, P25942, B_CELL)},
    ),
    (
        "names: label and other names",
        f"SELECT ?name WHERE {{ <{MONDO}> rdfs:label|skos:altLabel ?name }}",
        {("X-linked hyper IgM syndrome",), ("HIGM1",), ("Hyper-IgM syndrome 1",),
         ("Immunodeficiency with Hyper-IgM, type 1",), ("Hyper-IgM syndrome type 1",)},
    ),
    (
        "course: system, sex, onset, outcome, variability",
        f"""SELECT ?system ?sex ?onset ?fatal ?variable ?family WHERE {{
              <{MONDO}> kg:affects/rdfs:label ?system ; kg:predominantlyAffects/rdfs:label ?sex ;
                 kg:onset/rdfs:label ?onset ; kg:fatalUntreatedIn/rdfs:label ?fatal ;
                 kg:variableSeverity ?variable ; kg:intrafamilialVariability ?family }}""",
        {("immune system", "male", onset, fatal, "true", "true")
         for onset in ("infancy", "early childhood") for fatal in ("childhood", "adolescence")},
    ),
    (
        "antibody levels: condition → level → class and direction",
        f"""SELECT ?class ?direction ?phenotype WHERE {{
              <{MONDO}> kg:hasAntibodyLevel ?level .
              ?level kg:antibodyClass/rdfs:label ?name ; kg:direction ?direction .
              OPTIONAL {{ ?level kg:manifestsAs ?phenotype }}
              BIND(STRBEFORE(?name, " ") AS ?class) }}""",
        {("IgM", "https://w3id.org/higm-kg/vocab#HighOrNormal"),  # high in some, normal in others: no one phenotype
         ("IgG", "https://w3id.org/higm-kg/vocab#Low", "http://purl.obolibrary.org/obo/HP_0004315"),
         ("IgA", "https://w3id.org/higm-kg/vocab#Low", "http://purl.obolibrary.org/obo/HP_0002720"),
         ("IgE", "https://w3id.org/higm-kg/vocab#Low", "http://purl.obolibrary.org/obo/HP_0005479")},
    ),
    (
        "clinical features with HPO terms and how often they occur",
        f"""SELECT ?hp ?occurrence WHERE {{
              <{MONDO}> kg:hasPhenotype ?hp .
              ?st rdf:subject <{MONDO}> ; rdf:predicate kg:hasPhenotype ; rdf:object ?hp ;
                  kg:occurrence/rdfs:label ?occurrence }}""",
        {(f"http://purl.obolibrary.org/obo/HP_{hp}", occ) for hp, occ in [
            ("0002090", "common"), ("0011108", "common"), ("0000403", "common"),
            ("0002028", "common"), ("0001508", "common"), ("0001875", "in some affected people"),
            ("0003496", "in some affected people"),
            ("0002960", "may develop"), ("0011450", "may develop"), ("0001392", "may develop"),
            ("0007378", "may develop"), ("0002665", "increased risk")]},
    ),
    (
        "frequency: numbers and population",
        f"""SELECT ?n ?d ?sex ?stage WHERE {{
              <{MONDO}> kg:hasFrequency ?f . ?f kg:numerator ?n ; kg:denominator ?d ;
                 kg:population [ kg:sex ?sex ; kg:lifeStage ?stage ] }}""",
        {("2", "1000000", "https://w3id.org/higm-kg/vocab#Male", "https://w3id.org/higm-kg/vocab#Newborn")},
    ),
    (
        "cause: gene, chromosome, band, and what variants do",
        f"""SELECT ?symbol ?chromosome ?band ?consequence WHERE {{
              ?gene kg:causes <{MONDO}> ; kg:symbol ?symbol ; kg:chromosome ?chromosome ;
                    kg:cytogeneticLocation ?band .
              ?st rdf:subject ?gene ; rdf:predicate kg:causes ; kg:variantConsequence ?consequence }}""",
        {("CD40LG", "X", "Xq26.3", "https://w3id.org/higm-kg/vocab#AbnormalProduct"),
         ("CD40LG", "X", "Xq26.3", "https://w3id.org/higm-kg/vocab#AbsentProduct")},
    ),
    (
        "mechanism: class switching in B cells from IgM to IgG, IgA, IgE",
        """SELECT ?process ?cell ?from ?to WHERE {
              ?ligand kg:hasReceptor ?receptor ; kg:participatesIn ?process .
              ?receptor kg:participatesIn ?process .
              ?process kg:occursIn ?cell ; kg:switchesFrom/rdfs:label ?fromName ;
                       kg:switchesTo/rdfs:label ?toName .
              BIND(STRBEFORE(?fromName, " ") AS ?from) BIND(STRBEFORE(?toName, " ") AS ?to) }""",
        {("http://purl.obolibrary.org/obo/GO_0045190", B_CELL, "IgM", to) for to in ("IgG", "IgA", "IgE")},
    ),
    (
        "mechanism: CD40 ligand needed for T cell interaction and maturation",
        f"SELECT ?label ?cell WHERE {{ <{P29965}> kg:requiredFor ?p . ?p rdfs:label ?label ; kg:occursIn ?cell }}",
        {("interaction of T cells with other immune system cells", T_CELL), ("T cell maturation", T_CELL)},
    ),
    (
        "receptor identity: CD40 gene encodes the receptor; both with IDs",
        f"""SELECT ?symbol ?id ?match WHERE {{
              ?gene kg:encodes <{P25942}> ; kg:symbol ?symbol ; dcterms:identifier ?id ;
                    skos:exactMatch ?match }}""",
        {("CD40", "hgnc:11919", m) for m in (
            "https://www.ncbi.nlm.nih.gov/gene/958", "https://www.ensembl.org/id/ENSG00000101017",
            "https://omim.org/MIM:109535")},
    ),
    (
        "inheritance: pattern, allele requirements by sex, no father-to-son transmission",
        f"""SELECT ?pattern ?sex ?copies ?fatherToSon WHERE {{
              <{MONDO}> kg:hasModeOfInheritance ?pattern ; kg:hasAlleleRequirement [ kg:sex ?sex ; kg:alteredCopies ?copies ] .
              ?pattern skos:broader/kg:fatherToSonTransmission ?fatherToSon }}""",
        {("http://purl.obolibrary.org/obo/HP_0001419", "https://w3id.org/higm-kg/vocab#Male", "1", "false"),
         ("http://purl.obolibrary.org/obo/HP_0001419", "https://w3id.org/higm-kg/vocab#Female", "2", "false")},
    ),
    (
        "resources: six further resources, OMIM 308230 among them",
        f"""SELECT ?category ?xref WHERE {{ <{MONDO}> kg:hasInformationResource ?r .
              ?r kg:resourceCategory ?category . OPTIONAL {{ ?r kg:xref ?xref }} }}""",
        {("Genetic Testing Information",), ("Genetic and Rare Diseases Information Center",),
         ("Patient Support and Advocacy Resources",), ("Clinical Trials",),
         ("Catalog of Genes and Diseases from OMIM", "https://omim.org/MIM:308230"),
         ("Scientific Articles on PubMed",)},
    ),
    (
        "publications: the page cites eight; PMIDs only where verified",
        f"""SELECT ?pub ?year ?pmid WHERE {{ <{PAGE}> dcterms:references ?pub .
              ?pub kg:year ?year . OPTIONAL {{ ?pub kg:pmid ?pmid }} }}""",
        {("https://doi.org/10.1385/IR:24:3:311", "2001", "11817328"),
         ("https://pubmed.ncbi.nlm.nih.gov/20301576", "2007", "20301576"),
         ("https://doi.org/10.1042/bst0300815", "2002"),
         ("https://doi.org/10.1136/mp.56.5.256", "2003", "14514918"),
         ("https://doi.org/10.1172/JCI5891", "1999"),
         ("https://doi.org/10.1016/s0022-3476(97)70123-9", "1997"),
         ("https://doi.org/10.1093/protein/gzm004", "2007"),
         ("https://doi.org/10.1097/01.md.0000100046.06009.b0", "2003", "14663287")},
    ),
    (
        "publications: authors in order",
        """SELECT ?position ?name WHERE { <https://doi.org/10.1136/mp.56.5.256> kg:authorship [
              kg:position ?position ; kg:personName ?name ] }""",
        {(str(i), name) for i, name in enumerate(
            ["Gilmour KC", "Walshe D", "Heath S", "Monaghan G", "Loughlin S", "Lester T",
             "Norbury G", "Cale CM"], start=1)},
    ),
    (
        "publications: GeneReviews chapter with its Bookshelf ID, editors and publisher",
        """SELECT ?shelf ?issued ?editors ?publisher WHERE {
              <https://pubmed.ncbi.nlm.nih.gov/20301576> kg:bookshelfId ?shelf ; dcterms:issued ?issued ;
                 dcterms:publisher/rdfs:label ?publisher .
              { SELECT (COUNT(?e) AS ?editors) WHERE { <https://pubmed.ncbi.nlm.nih.gov/20301576> kg:editorship ?e } } }""",
        {("NBK1402", "2007-05-31", "6", "University of Washington, Seattle")},
    ),
    (
        "the page itself: publisher and last update",
        f"SELECT ?publisher ?modified WHERE {{ <{PAGE}> dcterms:publisher/rdfs:label ?publisher ; dcterms:modified ?modified }}",
        {("National Library of Medicine", "2023-02-06")},
    ),
    (
        "provenance: where 'CD40LG encodes CD40 ligand' comes from",
        f"""SELECT ?section ?heading ?page WHERE {{
              ?st rdf:subject <{HGNC_CD40LG}> ; rdf:predicate kg:encodes ; rdf:object <{P29965}> ;
                  prov:wasDerivedFrom ?section . ?section dcterms:title ?heading ; dcterms:isPartOf ?page }}""",
        {("https://w3id.org/higm-kg/id/source/medlineplus/x-linked-hyper-igm-syndrome/causes", "Causes", PAGE)},
    ),
    (
        "cross-references of the condition",
        f"SELECT ?match WHERE {{ <{MONDO}> skos:exactMatch|kg:xref ?match }}",
        {(iri,) for iri in (
            "https://omim.org/MIM:308230", "http://www.orpha.net/ORDO/Orphanet_101088",
            "https://www.ncbi.nlm.nih.gov/medgen/96019", "https://uts.nlm.nih.gov/uts/umls/concept/C0398689",
            "http://purl.obolibrary.org/obo/DOID_6620", "http://purl.obolibrary.org/obo/DOID_0060022",
            "http://purl.obolibrary.org/obo/NCIT_C61244", "http://purl.bioontology.org/ontology/SNOMEDCT/403835002",
            "https://rarediseases.info.nih.gov/?gard_id=0000073", "https://rarediseases.org/?p=1261")},
    ),
    (
        "proteins: UniProt names, CD154 for CD40 ligand",
        "SELECT ?protein WHERE { ?protein skos:altLabel 'CD154' ; a kg:Protein }",
        {(P29965,)},
    ),
]


@pytest.mark.parametrize(("question", "sparql", "expected"), CASES, ids=[c[0] for c in CASES])
def test_fact_group(select: Callable[[str], Rows], question: str, sparql: str,
                    expected: set[tuple[str, ...]]) -> None:
    found = {tuple(row.values()) for row in select(sparql)}
    assert found == expected, question
