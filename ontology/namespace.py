"""The kg vocabulary as an rdflib DefinedNamespace.

Generated from ontology/higm.ttl by `python -m ontology.generate`; do not edit.
"""

from rdflib.namespace import DefinedNamespace, Namespace
from rdflib.term import URIRef


class KG(DefinedNamespace):
    """Terms of the HIGM knowledge-graph vocabulary."""

    _fail = True
    _NS = Namespace("https://w3id.org/higm-kg/vocab#")

    AbnormalProduct: URIRef  # abnormal product
    AbsentProduct: URIRef  # absent product
    Adolescence: URIRef  # adolescence
    AlleleRequirement: URIRef  # Allele requirement
    AntibodyClass: URIRef  # Antibody class
    AntibodyLevel: URIRef  # Antibody level
    Authorship: URIRef  # Authorship
    BiologicalProcess: URIRef  # Biological process
    BodySystem: URIRef  # Body system
    CellType: URIRef  # Cell type
    Childhood: URIRef  # childhood
    ClinicalFeature: URIRef  # Clinical feature
    Common: URIRef  # common
    Condition: URIRef  # Condition
    Deletion: URIRef  # deletion
    DocumentSection: URIRef  # Document section
    EarlyChildhood: URIRef  # early childhood
    Female: URIRef  # female
    FrequencyEstimate: URIRef  # Frequency estimate
    Gene: URIRef  # Gene
    High: URIRef  # high
    HighOrNormal: URIRef  # high or normal
    InSome: URIRef  # in some affected people
    IncreasedRisk: URIRef  # increased risk
    Infancy: URIRef  # infancy
    InformationResource: URIRef  # Information resource
    InheritancePattern: URIRef  # Inheritance pattern
    LevelDirection: URIRef  # Level direction
    LifeStage: URIRef  # Life stage
    LinkBasis: URIRef  # Link basis
    ListedAssociation: URIRef  # listed association
    Load: URIRef  # Load
    Low: URIRef  # low
    Male: URIRef  # male
    MayDevelop: URIRef  # may develop
    Newborn: URIRef  # newborn
    OccurrenceQualifier: URIRef  # Occurrence qualifier
    Organization: URIRef  # Organization
    Population: URIRef  # Population
    Protein: URIRef  # Protein
    Publication: URIRef  # Publication
    Sex: URIRef  # Sex
    SourceDocument: URIRef  # Source document
    StatedAssociation: URIRef  # stated association
    StatedCause: URIRef  # stated cause
    VariantConsequence: URIRef  # Variant consequence
    affects: URIRef  # affects
    alteredCopies: URIRef  # altered copies
    antibodyClass: URIRef  # antibody class
    aspect: URIRef  # aspect
    authorship: URIRef  # authorship
    binds: URIRef  # binds
    biocuration: URIRef  # biocuration
    bookshelfId: URIRef  # NCBI Bookshelf ID
    causeUnknown: URIRef  # cause unknown
    causes: URIRef  # causes
    chromosome: URIRef  # chromosome
    cytogeneticLocation: URIRef  # cytogenetic location
    denominator: URIRef  # denominator
    direction: URIRef  # direction
    doi: URIRef  # DOI
    editorship: URIRef  # editorship
    encodes: URIRef  # encodes
    evidence: URIRef  # evidence
    evidenceCode: URIRef  # evidence code
    fatalUntreatedIn: URIRef  # fatal untreated in
    fatherToSonTransmission: URIRef  # father-to-son transmission
    hasAlleleRequirement: URIRef  # has allele requirement
    hasAntibodyLevel: URIRef  # has antibody level
    hasFrequency: URIRef  # has frequency
    hasInformationResource: URIRef  # has information resource
    hasModeOfInheritance: URIRef  # has mode of inheritance
    hasPhenotype: URIRef  # has phenotype
    hasReceptor: URIRef  # has receptor
    intrafamilialVariability: URIRef  # intrafamilial variability
    involvesCellType: URIRef  # involves cell type
    issue: URIRef  # issue
    journal: URIRef  # journal
    lifeStage: URIRef  # life stage
    linkBasis: URIRef  # link basis
    locatedOnSurfaceOf: URIRef  # located on surface of
    manifestsAs: URIRef  # manifests as
    numerator: URIRef  # numerator
    occurrence: URIRef  # occurrence
    occursIn: URIRef  # occurs in
    onset: URIRef  # onset
    pages: URIRef  # pages
    participatesIn: URIRef  # participates in
    personName: URIRef  # person name
    phenotypeProfile: URIRef  # phenotype profile
    phenotypeProfileSize: URIRef  # phenotype profile size
    pmcid: URIRef  # PubMed Central ID
    pmid: URIRef  # PubMed ID
    population: URIRef  # population
    position: URIRef  # position
    predominantlyAffects: URIRef  # predominantly affects
    produces: URIRef  # produces
    relatedCondition: URIRef  # related condition
    relatedGene: URIRef  # related gene
    requiredFor: URIRef  # required for
    resourceCategory: URIRef  # resource category
    reviewed: URIRef  # reviewed
    section: URIRef  # section
    sex: URIRef  # sex
    sha256: URIRef  # SHA-256
    switchesFrom: URIRef  # switches from
    switchesTo: URIRef  # switches to
    symbol: URIRef  # symbol
    triggers: URIRef  # triggers
    tripleCount: URIRef  # triple count
    variableSeverity: URIRef  # variable severity
    variantConsequence: URIRef  # variant consequence
    volume: URIRef  # volume
    wording: URIRef  # wording
    xref: URIRef  # database cross-reference
    year: URIRef  # year
