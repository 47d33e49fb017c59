"""The evkg vocabulary as an rdflib ``DefinedNamespace``: a misspelt term is an error.

Generated from ``evkg.ttl``; ``tests/test_ontology.py`` proves the two agree.

Examples
--------
>>> from evkg.ontology.vocab import EV
>>> EV.Automaker
rdflib.term.URIRef('https://w3id.org/evkg/ontology#Automaker')
"""

from __future__ import annotations

from rdflib.namespace import DefinedNamespace, Namespace
from rdflib.term import URIRef

__all__ = ["EV"]


class EV(DefinedNamespace):
    """Terms of the evkg ontology (``https://w3id.org/evkg/ontology#``)."""

    _fail = True
    _NS = Namespace("https://w3id.org/evkg/ontology#")

    # Classes
    Alliance: URIRef  # alliance
    Article: URIRef  # article
    Automaker: URIRef  # automaker
    BackgroundKnowledge: URIRef  # background knowledge
    BatteryCellPlant: URIRef  # battery cell plant
    BatteryMaker: URIRef  # battery maker
    BatteryPackLine: URIRef  # battery pack line
    Challenge: URIRef  # challenge
    Claim: URIRef  # claim
    Classification: URIRef  # classification
    CoDevelopment: URIRef  # co-development
    Company: URIRef  # company
    Consultancy: URIRef  # consultancy
    Country: URIRef  # country
    Event: URIRef  # event
    Evidence: URIRef  # evidence
    Facility: URIRef  # facility
    Fact: URIRef  # fact
    GovernmentBody: URIRef  # government body
    Headquarters: URIRef  # headquarters
    IndustryAssociation: URIRef  # industry association
    IndustryGroup: URIRef  # industry group
    Investment: URIRef  # investment
    JointVenture: URIRef  # joint venture
    Observation: URIRef  # observation
    Organization: URIRef  # organization
    OwnershipStake: URIRef  # ownership stake
    Partnership: URIRef  # partnership
    Person: URIRef  # person
    Place: URIRef  # place
    Port: URIRef  # port
    Post: URIRef  # post
    Publisher: URIRef  # publisher
    QuantityValue: URIRef  # quantity value
    Recommendation: URIRef  # recommendation
    ReferenceData: URIRef  # reference data
    ReferenceStatement: URIRef  # reference statement
    Region: URIRef  # region
    Report: URIRef  # report
    ResearchBody: URIRef  # research body
    Source: URIRef  # source
    SourceList: URIRef  # source list
    Statement: URIRef  # statement
    Strategy: URIRef  # strategy
    Subdivision: URIRef  # subdivision
    TechnologyFirm: URIRef  # technology firm
    TelecomOperator: URIRef  # telecom operator
    TradeCorridor: URIRef  # trade corridor
    VehicleModel: URIRef  # vehicle model
    VehiclePlant: URIRef  # vehicle plant

    # Object properties
    about: URIRef  # about
    addressedTo: URIRef  # addressed to
    alignedWith: URIRef  # aligned with
    amount: URIRef  # amount
    area: URIRef  # area
    basedIn: URIRef  # based in
    capacity: URIRef  # capacity
    competesWith: URIRef  # competes with
    destination: URIRef  # destination
    developedBy: URIRef  # developed by
    evidence: URIRef  # evidence
    exportsTo: URIRef  # exports to
    facing: URIRef  # faced by
    groupMember: URIRef  # group member
    growthRate: URIRef  # growth rate
    hasInfrastructure: URIRef  # has infrastructure
    holder: URIRef  # holder
    hostedBy: URIRef  # hosted in
    inList: URIRef  # in list
    indicator: URIRef  # indicator
    investment: URIRef  # investment
    investmentIn: URIRef  # investment in
    investor: URIRef  # investor
    launchedBy: URIRef  # launched by
    links: URIRef  # links
    locatedIn: URIRef  # located in
    madeAt: URIRef  # made at
    memberOf: URIRef  # member of
    operator: URIRef  # operator
    ownedBy: URIRef  # owned by
    ownedEntity: URIRef  # owned entity
    owner: URIRef  # owner
    partner: URIRef  # partner
    partnerOf: URIRef  # partner of
    postIn: URIRef  # post in
    produces: URIRef  # produces
    product: URIRef  # product
    productType: URIRef  # product type
    publishedBy: URIRef  # published by
    pursuedBy: URIRef  # pursued by
    reportedBy: URIRef  # reported by
    speaker: URIRef  # speaker
    speakingFor: URIRef  # speaking for
    status: URIRef  # status
    strategicPivot: URIRef  # strategic pivot
    subsidiaryOf: URIRef  # subsidiary of
    targetsMarket: URIRef  # targets market
    value: URIRef  # value

    # Datatype properties
    alpha3Code: URIRef  # ISO 3166-1 alpha-3 code
    articleId: URIRef  # article id
    authorHandle: URIRef  # author handle
    citationNote: URIRef  # citation note
    comparison: URIRef  # comparison
    countedItem: URIRef  # counted item
    description: URIRef  # description
    edition: URIRef  # edition
    expectedImpact: URIRef  # expected impact
    function: URIRef  # function
    interpretation: URIRef  # interpretation
    period: URIRef  # period
    quote: URIRef  # quote
    rank: URIRef  # rank
    roleTitle: URIRef  # role title
    sequence: URIRef  # sequence
    sharePercent: URIRef  # share (percent)
    shareWording: URIRef  # share wording
    statementText: URIRef  # statement text
    targetDate: URIRef  # target date
    timeframe: URIRef  # timeframe
    valueWording: URIRef  # value wording

    # Annotation properties
    dependency: URIRef  # dependency
    inverseLabel: URIRef  # inverse label
    targetYear: URIRef  # target year
    year: URIRef  # year

    # Concept schemes
    DependencyScheme: URIRef  # dependency directions
    IndicatorScheme: URIRef  # indicators
    ProductTypeScheme: URIRef  # product types
    StatusScheme: URIRef  # facility and project statuses

    # Concepts
    Active: URIRef  # active
    Announced: URIRef  # announced
    BatteryCell: URIRef  # battery cell
    BatteryElectricVehicle: URIRef  # battery electric vehicle
    BatteryPack: URIRef  # battery pack
    BatteryProductionCapacity: URIRef  # EV battery production capacity
    CountriesWithLocalTeams: URIRef  # countries with local teams
    Crossover: URIRef  # crossover
    ElectricVehicle: URIRef  # electric vehicle
    ElectrificationInvestment: URIRef  # annual investment in electrification
    ExportGrowthRank: URIRef  # rank by export volume growth
    MutualDependency: URIRef  # mutual
    NewEnergyVehicle: URIRef  # new energy vehicle
    NewEnergyVehicleExports: URIRef  # new energy vehicle exports
    NoDependency: URIRef  # none
    ObjectDependsOnSubject: URIRef  # object depends on subject
    Operating: URIRef  # operating
    OverseasInvestmentShare: URIRef  # share of overseas investment
    Planned: URIRef  # planned
    PlugInHybrid: URIRef  # plug-in hybrid
    Software: URIRef  # software
    SportUtilityVehicle: URIRef  # SUV
    SubjectDependsOnObject: URIRef  # subject depends on object
    UnderConstruction: URIRef  # under construction
    Vehicle: URIRef  # vehicle
    VehicleExports: URIRef  # vehicle exports
    VehicleQualityPPH: URIRef  # new vehicle quality (problems per hundred)
    InvestmentAmount: URIRef  # investment
    VehicleSales: URIRef  # vehicle sales
    ElectricVehicleSales: URIRef  # EV sales
    VehicleProduction: URIRef  # vehicle production
    BatteryProduction: URIRef  # battery production
    ProductionCapacity: URIRef  # production capacity
    MarketShare: URIRef  # market share
    Revenue: URIRef  # revenue
    Exports: URIRef  # exports
    BatteryExports: URIRef  # battery exports
    VehicleImports: URIRef  # vehicle imports
    ChargingPoints: URIRef  # charging points
    Employment: URIRef  # jobs
    Subsidies: URIRef  # subsidies
