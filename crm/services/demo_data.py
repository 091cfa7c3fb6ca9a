"""A fictional demo office: staff, partner organizations, people and their posts.

``load_demo_office()`` fills an empty database so the application can be tried out and walked
through. Organization names are real public institutions (plus a few invented companies and
NGOs); every person is invented. Contact details are fictional too: US numbers use the reserved
555-01xx range, Mexican numbers are random, and e-mail addresses use the reserved ``.example``
top-level domain (staff use ``liaison.demo``). Consular districts are a plausible demo split of
the 58 California counties, not an official list.

The data is reproducible: the same seed gives the same office, and dates are fixed relative to
``REFERENCE_DATE`` rather than to the day the data is loaded. The exception is the interaction
history and the follow-ups, which are laid out around the day the data is loaded (a year back,
two months ahead) so the dashboard looks alive; given that day, they are reproducible too.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from crm.extensions import db
from crm.models import (
    Affiliation,
    Contact,
    ContactEmail,
    ContactPhone,
    County,
    EmailKind,
    FollowUp,
    GovernmentLevel,
    Interaction,
    InteractionContact,
    InteractionKind,
    InteractionStatus,
    Organization,
    OrganizationKind,
    PhoneKind,
    RelationshipTier,
    Role,
    Sensitivity,
    Tag,
    User,
    WorkArea,
)
from crm.services.contacts import name_key
from crm.services.interactions import to_instant
from crm.services.normalize import fold, is_subdivision_of, normalize_email, normalize_phone
from crm.services.organizations import search_key
from crm.services.reference_data import ensure_reference_data
from crm.services.users import hash_password

DEMO_PASSWORD = "liaison-demo-2026"
REFERENCE_DATE = date(2026, 1, 1)
CONTACT_COUNT = 300

K = OrganizationKind
G = GovernmentLevel
S = Sensitivity


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    role: Role
    clearance: Sensitivity
    language: str
    timezone: str


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin@liaison.demo", "Dana Whitfield", Role.ADMIN, S.LAW_ENFORCEMENT_SENSITIVE, "en",
             "America/Los_Angeles"),
    DemoUser("officer@liaison.demo", "Kevin Tran", Role.OFFICER, S.OFFICIAL, "en",
             "America/Los_Angeles"),
    DemoUser("marisol.ortega@liaison.demo", "Marisol Ortega Villanueva", Role.OFFICER,
             S.CONFIDENTIAL, "es", "America/Tijuana"),
    DemoUser("daniel.reyes@liaison.demo", "Daniel Reyes", Role.OFFICER,
             S.LAW_ENFORCEMENT_SENSITIVE, "en", "America/Los_Angeles"),
    DemoUser("viewer@liaison.demo", "Grace Holloway", Role.VIEWER, S.PUBLIC, "en",
             "America/Los_Angeles"),
)  # fmt: skip

# Short names for the work areas created by ensure_reference_data().
WORK_AREAS = {
    "abduction": "Child abduction",
    "support": "International child support",
    "trafficking": "Human trafficking",
    "drugs": "Drug smuggling",
    "weapons": "Weapons smuggling",
    "laundering": "Money laundering",
    "fugitives": "Fugitive prosecution",
    "environment": "Border environmental enforcement",
    "victims": "Victim services",
    "training": "Training and capacity building",
}

# City -> (country, area codes). The first code is the main line; mobiles use any of them.
CITY_AREA_CODES: dict[str, tuple[str, tuple[str, ...]]] = {
    "San Diego": ("US", ("619", "858")),
    "Chula Vista": ("US", ("619",)),
    "El Cajon": ("US", ("619",)),
    "Alpine": ("US", ("619",)),
    "Campo": ("US", ("619",)),
    "Jamul": ("US", ("619",)),
    "El Centro": ("US", ("760", "442")),
    "Calexico": ("US", ("760", "442")),
    "Winterhaven": ("US", ("760", "442")),
    "Los Angeles": ("US", ("213", "323", "310", "818")),
    "Sacramento": ("US", ("916", "279")),
    "San Francisco": ("US", ("415", "628")),
    "San Jose": ("US", ("408", "669")),
    "Fresno": ("US", ("559",)),
    "Oxnard": ("US", ("805",)),
    "Santa Ana": ("US", ("714", "657")),
    "San Bernardino": ("US", ("909",)),
    "Riverside": ("US", ("951",)),
    "Washington": ("US", ("202",)),
    "Alexandria": ("US", ("703",)),
    "Vienna": ("US", ("703",)),
    "Sells": ("US", ("520",)),
    "Somerton": ("US", ("928",)),
    "Tijuana": ("MX", ("664",)),
    "Mexicali": ("MX", ("686",)),
    "Ensenada": ("MX", ("646",)),
    "Hermosillo": ("MX", ("662",)),
    "Guadalajara": ("MX", ("33",)),
    "Morelia": ("MX", ("443",)),
    "Chihuahua": ("MX", ("614",)),
    "Ciudad de México": ("MX", ("55", "56")),
}


@dataclass(frozen=True)
class OrgSpec:
    """One demo organization. ``tier`` is a tier rank; 0 lets the generator choose."""

    key: str
    kind: OrganizationKind
    name: str
    name_es: str = ""
    acronym: str = ""
    country: str = "US"
    subdivision: str = ""
    level: GovernmentLevel = G.NONE
    parent: str = ""
    city: str = ""
    street: str = ""
    postal_code: str = ""
    website: str = ""
    domain: str = ""
    tier: int = 0
    sensitivity: Sensitivity = S.OFFICIAL
    tags: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    counties: tuple[str, ...] = ()
    staff: str = "us_admin"
    weight: int = 2
    notes: str = ""


def _family(**defaults: Any) -> Callable[..., OrgSpec]:
    """A maker of OrgSpecs sharing defaults (kind, country, level, staffing profile ...)."""

    def make(key: str, name: str, name_es: str = "", acronym: str = "", **fields: Any) -> OrgSpec:
        return OrgSpec(key=key, name=name, name_es=name_es, acronym=acronym, **(defaults | fields))

    return make


_internal = _family(
    kind=K.INTERNAL_UNIT, subdivision="US-CA", level=G.STATE, city="Sacramento",
    domain="liaison.demo", tier=1, staff="internal", weight=1,
)  # fmt: skip
_us_federal = _family(
    kind=K.AGENCY, subdivision="US-CA", level=G.FEDERAL, city="San Diego", staff="us_federal_le"
)
_us_state = _family(kind=K.AGENCY, subdivision="US-CA", level=G.STATE, city="Sacramento")
_us_local = _family(
    kind=K.AGENCY, subdivision="US-CA", level=G.LOCAL, city="San Diego", staff="us_prosecutor"
)
_mx_federal = _family(
    kind=K.AGENCY, country="MX", subdivision="MX-CMX", level=G.FEDERAL,
    city="Ciudad de México", staff="mx_admin",
)  # fmt: skip
_mx_state = _family(
    kind=K.AGENCY, country="MX", subdivision="MX-BCN", level=G.STATE, city="Mexicali",
    staff="mx_prosecutor",
)  # fmt: skip
_consulate = _family(
    kind=K.CONSULATE, subdivision="US-CA", level=G.FEDERAL, parent="sre", staff="consulate",
    areas=("abduction", "support", "victims"), weight=5,
)  # fmt: skip
_tribe = _family(
    kind=K.TRIBAL_GOVERNMENT, subdivision="US-CA", level=G.TRIBAL, staff="tribal", weight=1,
    tags=("border",), areas=("environment", "victims"),
)  # fmt: skip
_ngo = _family(kind=K.NGO, subdivision="US-CA", staff="ngo", sensitivity=S.PUBLIC)
_private = _family(kind=K.PRIVATE_SECTOR, subdivision="US-CA", staff="private")
_legislature = _family(
    kind=K.LEGISLATURE, subdivision="US-CA", level=G.STATE, city="Sacramento",
    staff="legislature", sensitivity=S.PUBLIC, weight=1,
)  # fmt: skip
_international = _family(kind=K.INTERNATIONAL, staff="international", weight=1)

ORGANIZATIONS: tuple[OrgSpec, ...] = (
    # Our own office and its units.
    _internal("obna", "Office of Binational Affairs", "Oficina de Asuntos Binacionales",
              "OBA", street="1300 I Street", postal_code="95814", tags=("priority",),
              areas=tuple(WORK_AREAS)),
    _internal("cau", "Child Abduction Unit", "Unidad de Sustracción de Menores", "CAU",
              parent="obna", city="San Diego", areas=("abduction", "victims")),
    _internal("icsu", "International Child Support Unit",
              "Unidad de Pensión Alimenticia Internacional", "ICSU", parent="obna",
              areas=("support",)),
    _internal("fpu", "Foreign Prosecution Unit", "Unidad de Procesamiento en el Extranjero",
              "FPU", parent="obna", city="Los Angeles", areas=("fugitives", "training")),
    # US federal.
    _us_federal("fbi_sd", "FBI San Diego Field Office", "Oficina de Campo del FBI en San Diego",
                "FBI", street="10385 Vista Sorrento Parkway", postal_code="92121",
                website="https://www.fbi.gov/contact-us/field-offices/sandiego", tier=1,
                tags=("task force", "border"), areas=("abduction", "fugitives", "trafficking"),
                weight=4),
    _us_federal("hsi_sd", "Homeland Security Investigations San Diego",
                "Investigaciones de Seguridad Nacional en San Diego", "HSI",
                website="https://www.ice.gov/about-ice/hsi", tier=1,
                sensitivity=S.CONFIDENTIAL, tags=("task force", "border"),
                areas=("trafficking", "weapons", "laundering"), weight=4),
    _us_federal("dea_sd", "DEA San Diego Field Division",
                "División de Campo de la DEA en San Diego", "DEA",
                website="https://www.dea.gov", tier=2, sensitivity=S.CONFIDENTIAL,
                tags=("task force",), areas=("drugs", "laundering"), weight=3),
    _us_federal("dea_vetted", "DEA San Diego Vetted Unit Liaison Group",
                "Grupo de Enlace con Unidades Verificadas de la DEA", parent="dea_sd",
                tier=1, sensitivity=S.LAW_ENFORCEMENT_SENSITIVE, tags=("vetted", "task force"),
                areas=("drugs",), weight=1,
                notes="Vetted-unit liaison. Share only through the secure channel."),
    _us_federal("cbp_sd", "CBP Office of Field Operations, San Diego Field Office",
                "Oficina de Operaciones de Campo de CBP en San Diego", "CBP",
                website="https://www.cbp.gov", tier=2, tags=("border",),
                areas=("drugs", "weapons", "abduction")),
    _us_federal("usbp_sd", "U.S. Border Patrol San Diego Sector",
                "Patrulla Fronteriza, Sector San Diego", "USBP", tier=3, tags=("border",),
                areas=("trafficking", "drugs")),
    _us_federal("usms_sdca", "U.S. Marshals Service, Southern District of California",
                "Servicio de Alguaciles de EE. UU., Distrito Sur de California", "USMS",
                website="https://www.usmarshals.gov", tier=1, tags=("task force",),
                areas=("fugitives",)),
    _us_federal("usao_sdca", "U.S. Attorney's Office, Southern District of California",
                "Fiscalía Federal del Distrito Sur de California", "USAO-SDCA",
                website="https://www.justice.gov/usao-sdca", tier=1, staff="us_federal_legal",
                areas=("fugitives", "trafficking", "drugs", "laundering"), weight=3),
    _us_federal("doj_oia", "DOJ Criminal Division, Office of International Affairs",
                "Oficina de Asuntos Internacionales del Departamento de Justicia", "OIA",
                subdivision="US-DC", city="Washington",
                website="https://www.justice.gov/criminal/criminal-oia", tier=1,
                sensitivity=S.CONFIDENTIAL, staff="us_federal_legal",
                tags=("extradition",), areas=("fugitives",)),
    _us_federal("dos_oci", "U.S. Department of State, Office of Children's Issues",
                "Oficina de Asuntos de Menores del Departamento de Estado", "OCI",
                subdivision="US-DC", city="Washington", website="https://travel.state.gov",
                tier=1, staff="us_admin", tags=("Hague Convention",),
                areas=("abduction",)),
    _us_federal("ocss", "HHS Office of Child Support Services",
                "Oficina de Servicios de Manutención Infantil", "OCSS",
                subdivision="US-DC", city="Washington", website="https://www.acf.hhs.gov/css",
                tier=2, staff="us_admin", areas=("support",), weight=1),
    _us_federal("fincen", "Financial Crimes Enforcement Network",
                "Red de Control de Delitos Financieros", "FinCEN", subdivision="US-VA",
                city="Vienna", website="https://www.fincen.gov", sensitivity=S.CONFIDENTIAL,
                staff="us_admin", areas=("laundering",)),
    _us_federal("atf_la", "ATF Los Angeles Field Division",
                "División de Campo de la ATF en Los Ángeles", "ATF", city="Los Angeles",
                website="https://www.atf.gov", tier=2, areas=("weapons",)),
    _us_federal("epa_r9", "U.S. Environmental Protection Agency, Region 9",
                "Agencia de Protección Ambiental, Región 9", "EPA", city="San Francisco",
                website="https://www.epa.gov", tier=3, staff="us_admin",
                areas=("environment",), weight=1),
    # California state.
    _us_state("chp", "California Highway Patrol", "Patrulla de Caminos de California", "CHP",
              website="https://www.chp.ca.gov", tier=2, staff="us_police",
              areas=("abduction", "drugs")),
    _us_state("chp_border", "California Highway Patrol, Border Division",
              "Patrulla de Caminos de California, División Fronteriza", "CHP", parent="chp",
              city="San Diego", tier=1, staff="us_police", tags=("border", "task force"),
              areas=("drugs", "weapons", "abduction")),
    _us_state("dcss", "California Department of Child Support Services",
              "Departamento de Servicios de Manutención Infantil de California", "DCSS",
              website="https://childsupport.ca.gov", tier=1, tags=("MOU",), areas=("support",)),
    # California local.
    _us_local("sdcda", "San Diego County District Attorney's Office",
              "Fiscalía del Condado de San Diego", "SDDA", website="https://www.sdcda.org",
              tier=1, tags=("task force", "priority"),
              areas=("abduction", "trafficking", "victims"), weight=4),
    _us_local("lacda", "Los Angeles County District Attorney's Office",
              "Fiscalía del Condado de Los Ángeles", "LADA", city="Los Angeles",
              website="https://da.lacounty.gov", tier=2,
              areas=("trafficking", "fugitives", "victims"), weight=3),
    _us_local("imperial_da", "Imperial County District Attorney's Office",
              "Fiscalía del Condado de Imperial", city="El Centro", tier=2,
              tags=("border",), areas=("drugs", "fugitives")),
    _us_local("lasd", "Los Angeles County Sheriff's Department",
              "Departamento del Sheriff del Condado de Los Ángeles", "LASD",
              city="Los Angeles", website="https://lasd.org", tier=2, staff="us_police",
              areas=("trafficking", "fugitives")),
    _us_local("sdpd", "San Diego Police Department", "Departamento de Policía de San Diego",
              "SDPD", website="https://www.sandiego.gov/police", tier=2, staff="us_police",
              areas=("trafficking", "victims")),
    _us_local("cvpd", "Chula Vista Police Department",
              "Departamento de Policía de Chula Vista", "CVPD", city="Chula Vista", tier=3,
              staff="us_police", tags=("border",), areas=("abduction",), weight=1),
    # Mexican federal.
    _mx_federal("fgr", "Fiscalía General de la República", "Office of the Attorney General "
                "of Mexico", "FGR", website="https://www.gob.mx/fgr", tier=1,
                staff="mx_prosecutor", tags=("MOU", "extradition"),
                areas=("fugitives", "drugs", "weapons", "trafficking"), weight=4),
    _mx_federal("fgr_femdo", "Fiscalía Especializada en Materia de Delincuencia Organizada",
                "Special Prosecutor's Office for Organized Crime", "FEMDO", parent="fgr",
                tier=1, sensitivity=S.CONFIDENTIAL, staff="mx_prosecutor",
                areas=("drugs", "weapons", "laundering")),
    _mx_federal("fgr_aic", "Agencia de Investigación Criminal", "Criminal Investigation Agency",
                "AIC", parent="fgr", tier=2, sensitivity=S.CONFIDENTIAL, staff="mx_police",
                areas=("fugitives", "drugs")),
    _mx_federal("cenapi", "Centro Nacional de Planeación, Análisis e Información para el "
                "Combate a la Delincuencia", "National Center for Crime Planning, Analysis "
                "and Information", "CENAPI", parent="fgr_aic", tier=2,
                sensitivity=S.LAW_ENFORCEMENT_SENSITIVE, staff="mx_police", tags=("vetted",),
                areas=("drugs", "weapons"), weight=1),
    _mx_federal("fgr_dgpi", "Dirección General de Procedimientos Internacionales",
                "Directorate-General for International Proceedings", "DGPI", parent="fgr",
                tier=1, staff="mx_prosecutor", tags=("extradition",), areas=("fugitives",)),
    _mx_federal("fgr_bc", "Fiscalía Federal en el Estado de Baja California",
                "Federal Prosecutor's Office in Baja California", parent="fgr",
                subdivision="MX-BCN", city="Tijuana", tier=1, staff="mx_prosecutor",
                tags=("border",), areas=("drugs", "weapons", "fugitives"), weight=3),
    _mx_federal("sre", "Secretaría de Relaciones Exteriores", "Ministry of Foreign Affairs",
                "SRE", website="https://www.gob.mx/sre", tier=1, tags=("MOU",),
                areas=("abduction", "support"), weight=2),
    _mx_federal("sre_dgpcpe", "Dirección General de Protección Consular y Planeación "
                "Estratégica", "Directorate-General for Consular Protection and Strategic "
                "Planning", "DGPCPE", parent="sre", tier=1, tags=("Hague Convention",),
                areas=("abduction", "victims")),
    _mx_federal("ime", "Instituto de los Mexicanos en el Exterior",
                "Institute for Mexicans Abroad", "IME", parent="sre", tier=3,
                sensitivity=S.PUBLIC, areas=("victims",), weight=1),
    _mx_federal("shcp", "Secretaría de Hacienda y Crédito Público",
                "Ministry of Finance and Public Credit", "SHCP",
                website="https://www.gob.mx/shcp", tier=3, weight=1),
    _mx_federal("uif", "Unidad de Inteligencia Financiera", "Financial Intelligence Unit", "UIF",
                parent="shcp", tier=1, sensitivity=S.CONFIDENTIAL, tags=("MOU",),
                areas=("laundering",)),
    _mx_federal("guardia_nacional", "Guardia Nacional", "National Guard", "GN",
                website="https://www.gob.mx/guardianacional", tier=2, staff="mx_police",
                tags=("border",), areas=("drugs", "weapons", "trafficking")),
    _mx_federal("sndif", "Sistema Nacional para el Desarrollo Integral de la Familia",
                "National System for Integral Family Development", "SNDIF", tier=2,
                areas=("abduction", "support", "victims")),
    _mx_federal("inm", "Instituto Nacional de Migración", "National Migration Institute", "INM",
                website="https://www.gob.mx/inm", tier=3, areas=("trafficking",)),
    _mx_federal("profepa", "Procuraduría Federal de Protección al Ambiente",
                "Federal Attorney for Environmental Protection", "PROFEPA",
                website="https://www.gob.mx/profepa", tier=2, areas=("environment",)),
    # Mexican state and local.
    _mx_state("fgebc", "Fiscalía General del Estado de Baja California",
              "Baja California State Attorney General's Office", "FGEBC", tier=1,
              tags=("MOU", "border", "priority"),
              areas=("abduction", "trafficking", "fugitives", "victims"), weight=3),
    _mx_state("fgebc_tijuana", "Fiscalía Regional de Tijuana", "Tijuana Regional Prosecutor's "
              "Office", parent="fgebc", city="Tijuana", tier=1, tags=("border",),
              areas=("abduction", "fugitives"), weight=3),
    _mx_state("fgebc_trata", "Fiscalía Especializada en Trata de Personas",
              "Special Prosecutor's Office for Human Trafficking", parent="fgebc", tier=2,
              areas=("trafficking", "victims")),
    _mx_state("fgjes", "Fiscalía General de Justicia del Estado de Sonora",
              "Sonora State Attorney General's Office", "FGJES", subdivision="MX-SON",
              city="Hermosillo", tier=2, tags=("border",), areas=("drugs", "fugitives")),
    _mx_state("fge_jalisco", "Fiscalía del Estado de Jalisco", "Jalisco State Prosecutor's Office",
              subdivision="MX-JAL", city="Guadalajara", tier=2, areas=("fugitives", "drugs")),
    _mx_state("fge_michoacan", "Fiscalía General del Estado de Michoacán",
              "Michoacán State Attorney General's Office", subdivision="MX-MIC",
              city="Morelia", tier=3, areas=("fugitives",)),
    _mx_state("fgjcdmx", "Fiscalía General de Justicia de la Ciudad de México",
              "Mexico City Attorney General's Office", "FGJCDMX", subdivision="MX-CMX",
              city="Ciudad de México", tier=2, areas=("trafficking", "abduction")),
    _mx_state("ssc_bc", "Secretaría de Seguridad Ciudadana de Baja California",
              "Baja California Ministry of Citizen Security", "SSCBC", tier=2,
              staff="mx_police", tags=("border",), areas=("drugs", "weapons")),
    _mx_state("dif_bc", "Sistema para el Desarrollo Integral de la Familia de Baja California",
              "Baja California Family Development System", "DIF BC", staff="mx_admin",
              tier=2, areas=("abduction", "support", "victims")),
    _mx_state("tijuana_police", "Secretaría de Seguridad y Protección Ciudadana Municipal de "
              "Tijuana", "Tijuana Municipal Public Safety Department", "SSPCM",
              level=G.LOCAL, city="Tijuana", tier=3, staff="mx_police", tags=("border",),
              areas=("trafficking", "abduction")),
    # Mexican consulates in California, each with its consular district.
    _consulate("consulado_san_diego", "Consulado General de México en San Diego",
               "Consulate General of Mexico in San Diego", city="San Diego",
               street="1549 India Street", postal_code="92101",
               website="https://consulmex.sre.gob.mx/sandiego", tier=1,
               tags=("border", "priority"), counties=("San Diego",), weight=8),
    _consulate("consulado_los_angeles", "Consulado General de México en Los Ángeles",
               "Consulate General of Mexico in Los Angeles", city="Los Angeles",
               street="2401 West 6th Street", postal_code="90057",
               website="https://consulmex.sre.gob.mx/losangeles", tier=1,
               tags=("priority",), counties=("Los Angeles",), weight=8),
    _consulate("consulado_calexico", "Consulado de México en Calexico",
               "Consulate of Mexico in Calexico", city="Calexico", postal_code="92231",
               website="https://consulmex.sre.gob.mx/calexico", tier=1, tags=("border",),
               counties=("Imperial",)),
    _consulate("consulado_san_bernardino", "Consulado de México en San Bernardino",
               "Consulate of Mexico in San Bernardino", city="San Bernardino",
               postal_code="92401", website="https://consulmex.sre.gob.mx/sanbernardino",
               tier=2, counties=("San Bernardino", "Riverside", "Inyo")),
    _consulate("consulado_santa_ana", "Consulado de México en Santa Ana",
               "Consulate of Mexico in Santa Ana", city="Santa Ana", postal_code="92705",
               website="https://consulmex.sre.gob.mx/santaana", tier=2, counties=("Orange",)),
    _consulate("consulado_oxnard", "Consulado de México en Oxnard",
               "Consulate of Mexico in Oxnard", city="Oxnard", postal_code="93030",
               website="https://consulmex.sre.gob.mx/oxnard", tier=3,
               counties=("Ventura", "Santa Barbara", "San Luis Obispo")),
    _consulate("consulado_fresno", "Consulado de México en Fresno",
               "Consulate of Mexico in Fresno", city="Fresno",
               website="https://consulmex.sre.gob.mx/fresno", tier=2,
               counties=("Fresno", "Kern", "Kings", "Madera", "Mariposa", "Merced", "Tulare")),
    _consulate("consulado_san_jose", "Consulado de México en San José",
               "Consulate of Mexico in San Jose", city="San Jose",
               website="https://consulmex.sre.gob.mx/sanjose", tier=3,
               counties=("Santa Clara", "Santa Cruz", "Monterey", "San Benito")),
    _consulate("consulado_san_francisco", "Consulado General de México en San Francisco",
               "Consulate General of Mexico in San Francisco", city="San Francisco",
               street="532 Folsom Street", postal_code="94105",
               website="https://consulmex.sre.gob.mx/sanfrancisco", tier=2,
               counties=("San Francisco", "Alameda", "Contra Costa", "Marin", "San Mateo",
                         "Napa", "Sonoma", "Solano", "Mendocino", "Lake", "Humboldt",
                         "Del Norte")),
    _consulate("consulado_sacramento", "Consulado General de México en Sacramento",
               "Consulate General of Mexico in Sacramento", city="Sacramento",
               street="2093 Arena Boulevard", postal_code="95834",
               website="https://consulmex.sre.gob.mx/sacramento", tier=2,
               counties=("Sacramento", "Alpine", "Amador", "Butte", "Calaveras", "Colusa",
                         "El Dorado", "Glenn", "Lassen", "Modoc", "Mono", "Nevada", "Placer",
                         "Plumas", "San Joaquin", "Shasta", "Sierra", "Siskiyou", "Stanislaus",
                         "Sutter", "Tehama", "Trinity", "Tuolumne", "Yolo", "Yuba")),
    # Tribal governments of the border region.
    _tribe("campo", "Campo Band of Kumeyaay Indians", "Banda Kumeyaay de Campo", city="Campo",
           tier=2),
    _tribe("sycuan", "Sycuan Band of the Kumeyaay Nation", "Banda Sycuan de la Nación Kumeyaay",
           city="El Cajon", tier=3),
    _tribe("quechan", "Quechan Indian Tribe of the Fort Yuma Indian Reservation",
           "Tribu Quechan de la Reserva de Fort Yuma", city="Winterhaven", tier=3),
    _tribe("tohono_oodham", "Tohono O'odham Nation", "Nación Tohono O'odham",
           subdivision="US-AZ", city="Sells", tier=2, tags=("border", "MOU"),
           areas=("drugs", "trafficking", "environment")),
    _tribe("cocopah", "Cocopah Indian Tribe", "Tribu Cucapá", subdivision="US-AZ",
           city="Somerton"),
    _tribe("kumiai_zorra", "Comunidad Indígena Kumiai de San José de la Zorra",
           "Kumiai Indigenous Community of San José de la Zorra", country="MX",
           subdivision="MX-BCN", city="Ensenada", staff="tribal_mx"),
    # NGOs.
    _ngo("ncmec", "National Center for Missing & Exploited Children",
         "Centro Nacional para Niños Desaparecidos y Explotados", "NCMEC",
         subdivision="US-VA", city="Alexandria", website="https://www.missingkids.org",
         tier=1, tags=("Hague Convention",), areas=("abduction", "victims")),
    _ngo("cast", "Coalition to Abolish Slavery & Trafficking",
         "Coalición para Abolir la Esclavitud y la Trata", "CAST", city="Los Angeles",
         website="https://www.castla.org", tier=2, tags=("trata",),
         areas=("trafficking", "victims")),
    _ngo("border_families", "Border Families Victim Advocacy Network",
         "Red de Apoyo a Víctimas de Familias Fronterizas", city="San Diego", tier=3,
         areas=("victims", "abduction")),
    _ngo("red_victimas", "Red Binacional de Atención a Víctimas, A.C.",
         "Binational Victim Assistance Network", country="MX", subdivision="MX-BCN",
         city="Tijuana", staff="ngo_mx", tier=2, tags=("border",), areas=("victims",)),
    _ngo("hogar_sin_fronteras", "Hogar Sin Fronteras, A.C.",
         "Home Without Borders (child-abduction family support)", country="MX",
         subdivision="MX-BCN", city="Mexicali", staff="ngo_mx", areas=("abduction",)),
    _ngo("consejo_ciudadano", "Consejo Ciudadano para la Seguridad y Justicia de la Ciudad de "
         "México", "Citizens' Council for Security and Justice of Mexico City",
         country="MX", subdivision="MX-CMX", city="Ciudad de México", staff="ngo_mx",
         tier=3, tags=("trata",), areas=("trafficking", "victims")),
    # Private sector (invented companies).
    _private("pacific_frontier_bank", "Pacific Frontier Bank", "Banco Pacific Frontier",
             city="San Diego", tier=2, sensitivity=S.CONFIDENTIAL, areas=("laundering",)),
    _private("banco_noroeste", "Banco Mercantil del Noroeste, S.A.",
             "Northwest Mercantile Bank", "BMN", country="MX", subdivision="MX-BCN",
             city="Tijuana", staff="private_mx", tier=2, sensitivity=S.CONFIDENTIAL,
             areas=("laundering",)),
    _private("sierra_money", "Sierra Money Transfer, Inc.", "Envíos de Dinero Sierra",
             city="Los Angeles", tier=3, areas=("laundering",)),
    _private("conecta", "Conecta Telecomunicaciones, S.A. de C.V.", "Conecta Telecom",
             country="MX", subdivision="MX-CMX", city="Ciudad de México", staff="private_mx",
             areas=("abduction", "fugitives")),
    _private("plaza_digital", "Plaza Digital Marketplace, Inc.", "Mercado Plaza Digital",
             city="San Francisco", tier=3, areas=("trafficking",)),
    # Legislatures.
    _legislature("ca_senate_ps", "California State Senate, Committee on Public Safety",
                 "Comisión de Seguridad Pública del Senado de California",
                 website="https://www.senate.ca.gov", tier=3),
    _legislature("ca_assembly_ps", "California State Assembly, Committee on Public Safety",
                 "Comisión de Seguridad Pública de la Asamblea de California",
                 website="https://www.assembly.ca.gov", tier=3),
    _legislature("ca_senate_mexico", "California State Senate, Select Committee on "
                 "California-Mexico Cooperation",
                 "Comisión Especial de Cooperación California-México del Senado de California",
                 tier=2, tags=("border",)),
    _legislature("senado_mx", "Senado de la República, Comisión de Relaciones Exteriores "
                 "América del Norte", "Mexican Senate, North America Foreign Relations "
                 "Committee", country="MX", subdivision="MX-CMX", level=G.FEDERAL,
                 city="Ciudad de México", website="https://www.senado.gob.mx",
                 staff="legislature_mx", tier=3),
    _legislature("congreso_bc", "Congreso del Estado de Baja California, Comisión de "
                 "Seguridad Ciudadana", "Baja California State Congress, Citizen Security "
                 "Committee", country="MX", subdivision="MX-BCN", city="Mexicali",
                 staff="legislature_mx"),
    # International bodies.
    _international("interpol_washington", "INTERPOL Washington, U.S. National Central Bureau",
                   "INTERPOL Washington, Oficina Central Nacional de EE. UU.",
                   subdivision="US-DC", city="Washington", level=G.FEDERAL, tier=1,
                   sensitivity=S.CONFIDENTIAL, tags=("extradition",),
                   areas=("fugitives", "abduction"), weight=2),
    _international("interpol_mexico", "Oficina Central Nacional INTERPOL México",
                   "INTERPOL National Central Bureau Mexico", country="MX",
                   subdivision="MX-CMX", city="Ciudad de México", level=G.FEDERAL,
                   staff="international_mx", tier=2, sensitivity=S.CONFIDENTIAL,
                   areas=("fugitives", "abduction")),
    _international("unodc_mx", "UNODC Liaison and Partnership Office in Mexico",
                   "Oficina de Enlace y Partenariado de la UNODC en México", "UNODC",
                   country="MX", subdivision="MX-CMX", city="Ciudad de México",
                   website="https://www.unodc.org", staff="international_mx", tier=3,
                   sensitivity=S.PUBLIC, areas=("trafficking", "training")),
    _international("hcch", "Hague Conference on Private International Law, Permanent Bureau",
                   "Conferencia de La Haya de Derecho Internacional Privado, Oficina "
                   "Permanente", "HCCH", country="NL", subdivision="NL-ZH", city="The Hague",
                   website="https://www.hcch.net", sensitivity=S.PUBLIC,
                   tags=("Hague Convention",), areas=("abduction", "support")),
    _international("oas_dps", "Organization of American States, Department of Public Security",
                   "Organización de los Estados Americanos, Departamento de Seguridad Pública",
                   "OAS", subdivision="US-DC", city="Washington",
                   website="https://www.oas.org", sensitivity=S.PUBLIC,
                   areas=("training", "trafficking")),
    _international("iom_mx", "Organización Internacional para las Migraciones, México",
                   "International Organization for Migration, Mexico", "OIM",
                   country="MX", subdivision="MX-CMX", city="Ciudad de México",
                   website="https://www.iom.int", staff="international_mx",
                   sensitivity=S.PUBLIC, areas=("trafficking", "victims")),
)  # fmt: skip


@dataclass(frozen=True)
class Post:
    """A title someone can hold; ``title_f`` is the feminine form where Spanish needs one."""

    title: str
    department: str = ""
    title_f: str = ""
    honorific: str = ""  # overrides the usual Lic./Mtro. or Mr./Ms. when the post has its own
    honorific_f: str = ""


@dataclass(frozen=True)
class Staffing:
    language: str  # the language the organization works in
    posts: tuple[Post, ...]


STAFFING: dict[str, Staffing] = {
    "internal": Staffing("en", (
        Post("Deputy Attorney General"),
        Post("Supervising Deputy Attorney General"),
        Post("Special Agent", "Bureau of Investigation"),
        Post("Associate Governmental Program Analyst"),
        Post("Binational Liaison Coordinator"),
    )),
    "us_federal_le": Staffing("en", (
        Post("Special Agent", "Crimes Against Children"),
        Post("Special Agent", "Transnational Organized Crime"),
        Post("Supervisory Special Agent", "Violent Crimes"),
        Post("Assistant Special Agent in Charge"),
        Post("Intelligence Analyst", "Field Intelligence Group"),
        Post("Task Force Officer", "Border Liaison"),
        Post("Victim Specialist", "Victim Services"),
        Post("Deputy U.S. Marshal", "Fugitive Task Force"),
    )),
    "us_federal_legal": Staffing("en", (
        Post("Assistant U.S. Attorney", "Narcotic Enforcement Section"),
        Post("Assistant U.S. Attorney", "General Crimes Section"),
        Post("Trial Attorney", "Extradition Unit"),
        Post("Senior Counsel", "Mexico and Central America Team"),
        Post("International Affairs Specialist"),
        Post("Paralegal Specialist"),
    )),
    "us_admin": Staffing("en", (
        Post("Program Manager"),
        Post("Policy Advisor"),
        Post("Country Officer, Mexico", "International Operations"),
        Post("Branch Chief", "International Programs"),
        Post("Staff Services Analyst"),
        Post("Senior Investigator", "Enforcement"),
    )),
    "us_prosecutor": Staffing("en", (
        Post("Deputy District Attorney", "Family Protection Division"),
        Post("Deputy District Attorney", "Human Trafficking Unit"),
        Post("Supervising Deputy District Attorney", "Child Abduction Unit"),
        Post("District Attorney Investigator", "Bureau of Investigation", honorific="Inv."),
        Post("Victim Advocate", "Victim Services Division"),
        Post("Chief Deputy District Attorney"),
    )),
    "us_police": Staffing("en", (
        Post("Detective", "Special Victims", honorific="Det."),
        Post("Detective", "Narcotics", honorific="Det."),
        Post("Sergeant", "Investigations", honorific="Sgt."),
        Post("Lieutenant", "Border Liaison", honorific="Lt."),
        Post("Commander", "Special Operations", honorific="Cmdr."),
        Post("Crime Analyst", "Intelligence"),
    )),
    "mx_prosecutor": Staffing("es", (
        Post("Agente del Ministerio Público", "Unidad de Delitos contra Menores"),
        Post("Agente del Ministerio Público", "Delitos de Alto Impacto"),
        Post("Fiscal Especializado", "Asuntos Internacionales", "Fiscal Especializada"),
        Post("Director de Área", "Cooperación Internacional", "Directora de Área"),
        Post("Subdirector de Extradiciones", "Asuntos Internacionales",
             "Subdirectora de Extradiciones"),
        Post("Coordinador de Enlace Binacional", "", "Coordinadora de Enlace Binacional"),
        Post("Asesor Jurídico", "Atención a Víctimas", "Asesora Jurídica"),
        Post("Agente de Investigación", "Policía de Investigación"),
    )),
    "mx_police": Staffing("es", (
        Post("Comisario", "Coordinación Estatal", "Comisaria"),
        Post("Inspector", "Unidad de Enlace Internacional", "Inspectora"),
        Post("Suboficial", "Policía Cibernética"),
        Post("Analista de Inteligencia", "Inteligencia"),
        Post("Oficial de Enlace", "Asuntos Internacionales"),
    )),
    "mx_admin": Staffing("es", (
        Post("Director de Área", "", "Directora de Área"),
        Post("Subdirector de Cooperación Internacional", "",
             "Subdirectora de Cooperación Internacional"),
        Post("Jefe de Departamento", "Asuntos Jurídicos", "Jefa de Departamento"),
        Post("Enlace de Cooperación Internacional"),
        Post("Analista", "Análisis Estratégico"),
        Post("Coordinador de Asuntos Internacionales", "",
             "Coordinadora de Asuntos Internacionales"),
    )),
    "consulate": Staffing("es", (
        Post("Cónsul Adscrito", "Departamento de Protección", "Cónsul Adscrita"),
        Post("Cónsul de Protección", "Departamento de Protección"),
        Post("Jefe de Protección", "Departamento de Protección", "Jefa de Protección"),
        Post("Encargado de Asuntos Jurídicos", "Asuntos Jurídicos",
             "Encargada de Asuntos Jurídicos"),
        Post("Coordinador de Asuntos Comunitarios", "Asuntos Comunitarios",
             "Coordinadora de Asuntos Comunitarios"),
        Post("Abogado Consultor", "Asesorías Legales Externas", "Abogada Consultora"),
        Post("Oficial de Protección", "Ventanilla de Atención Integral a la Mujer"),
    )),
    "tribal": Staffing("en", (
        Post("Council Member", "Tribal Council", honorific="Hon."),
        Post("Victim Services Coordinator", "Social Services"),
        Post("Environmental Specialist", "Environmental Protection Office"),
        Post("Sergeant", "Tribal Police Department", honorific="Sgt."),
        Post("Grants Manager"),
    )),
    "tribal_mx": Staffing("es", (
        Post("Autoridad Tradicional", "", "Autoridad Tradicional", honorific="C."),
        Post("Representante Comunitario", "", "Representante Comunitaria", honorific="C."),
    )),
    "ngo": Staffing("en", (
        Post("Program Director"),
        Post("Case Manager", "Family Services"),
        Post("Staff Attorney", "Legal Services"),
        Post("Victim Advocate"),
        Post("Policy Analyst"),
        Post("Outreach Coordinator"),
    )),
    "ngo_mx": Staffing("es", (
        Post("Coordinador de Programas", "", "Coordinadora de Programas"),
        Post("Abogado", "Área Jurídica", "Abogada"),
        Post("Psicólogo", "Atención a Víctimas", "Psicóloga", "Psic.", "Psic."),
        Post("Trabajador Social", "Atención a Familias", "Trabajadora Social"),
        Post("Director de Vinculación", "", "Directora de Vinculación"),
    )),
    "private": Staffing("en", (
        Post("BSA/AML Officer", "Financial Crimes Compliance"),
        Post("Financial Crimes Investigator", "Financial Intelligence Unit"),
        Post("Law Enforcement Response Manager", "Legal"),
        Post("Trust and Safety Lead", "Trust and Safety"),
        Post("Government Affairs Manager"),
    )),
    "private_mx": Staffing("es", (
        Post("Oficial de Cumplimiento", "Cumplimiento Normativo"),
        Post("Gerente de Prevención de Lavado de Dinero", "Cumplimiento Normativo"),
        Post("Enlace con Autoridades", "Jurídico"),
        Post("Analista de Fraude", "Seguridad de la Información"),
    )),
    "legislature": Staffing("en", (
        Post("Committee Consultant"),
        Post("Principal Consultant"),
        Post("Legislative Aide"),
        Post("Committee Assistant"),
    )),
    "legislature_mx": Staffing("es", (
        Post("Senador integrante", "", "Senadora integrante", "Sen.", "Sen."),
        Post("Secretario Técnico", "", "Secretaria Técnica"),
        Post("Asesor Legislativo", "", "Asesora Legislativa"),
    )),
    "international": Staffing("en", (
        Post("Programme Officer"),
        Post("Liaison Officer"),
        Post("Legal Officer"),
        Post("Police Liaison Officer", "Operations"),
    )),
    "international_mx": Staffing("es", (
        Post("Oficial de Programa", "", "Oficial de Programa"),
        Post("Coordinador Nacional de Proyecto", "", "Coordinadora Nacional de Proyecto"),
        Post("Oficial de Enlace Policial", "Operaciones"),
    )),
}  # fmt: skip

SPANISH_GIVEN_MALE = (
    "José Ángel", "Juan Carlos", "Luis Fernando", "Jorge Alberto", "Miguel Ángel",
    "Francisco Javier", "Carlos Eduardo", "Ricardo", "Alejandro", "Héctor", "Raúl", "Sergio",
    "Óscar", "Martín", "Rubén", "Andrés", "Gerardo", "Rodrigo", "Arturo", "Efraín", "Joaquín",
    "Tomás", "Jesús", "Ramón", "Julián", "Germán", "Emilio", "Víctor Hugo", "José Luis",
    "Adrián", "Iván", "Eduardo", "Fernando", "Marco Antonio", "Salvador", "Agustín", "Rogelio",
    "Aarón", "Benjamín", "Ulises",
)  # fmt: skip
SPANISH_GIVEN_FEMALE = (
    "María Fernanda", "Ana Sofía", "Lucía", "Verónica", "Guadalupe", "María José", "Adriana",
    "Mónica", "Gabriela", "Claudia", "Patricia", "Leticia", "Beatriz", "Rocío", "Daniela",
    "Alejandra", "Itzel", "Ximena", "Natalia", "Paola", "Mariana", "Elena", "Inés", "Araceli",
    "Yolanda", "Sofía", "Renata", "Citlali", "Andrea", "Lorena", "Silvia", "María del Carmen",
    "Rosa María", "Dolores", "Teresa", "Fabiola", "Jimena", "Noemí", "Maricela", "Belén",
)  # fmt: skip
SPANISH_SURNAMES = (
    "Núñez", "Peña", "Gutiérrez", "Ibáñez", "Hernández", "García", "Martínez", "López",
    "González", "Pérez", "Rodríguez", "Sánchez", "Ramírez", "Cruz", "Flores", "Gómez",
    "Morales", "Vázquez", "Jiménez", "Reyes", "Díaz", "Torres", "Ruiz", "Mendoza", "Aguilar",
    "Ortiz", "Moreno", "Castillo", "Romero", "Álvarez", "Méndez", "Chávez", "Rivera", "Juárez",
    "Ramos", "Domínguez", "Herrera", "Medina", "Castro", "Vargas", "Guzmán", "Velázquez",
    "Salazar", "Rojas", "Contreras", "Orozco", "Zúñiga", "Ávila", "Beltrán", "Cárdenas",
    "Carrillo", "Espinoza", "Estrada", "Fuentes", "Galván", "Ibarra", "Lara", "León", "Luna",
    "Maldonado", "Márquez", "Meléndez", "Montaño", "Muñoz", "Navarro", "Ochoa", "Olvera",
    "Padilla", "Quiñones", "Ríos", "Salinas", "Solís", "Tapia", "Treviño", "Valdés",
    "Valenzuela", "Villarreal", "Zamora", "Báez", "Acuña", "Bermúdez", "Córdoba",
)  # fmt: skip
ENGLISH_GIVEN_MALE = (
    "James", "Michael", "David", "Robert", "Daniel", "Kevin", "Brian", "Matthew", "Andrew",
    "Thomas", "Christopher", "Steven", "Jason", "Eric", "Ryan", "Patrick", "Gregory", "Nathan",
    "Samuel", "Derek", "Trevor", "Marcus", "Ethan", "Aaron", "Owen", "Graham", "Malcolm",
)  # fmt: skip
ENGLISH_GIVEN_FEMALE = (
    "Jennifer", "Sarah", "Emily", "Jessica", "Rachel", "Laura", "Megan", "Katherine", "Amanda",
    "Nicole", "Rebecca", "Stephanie", "Lauren", "Allison", "Hannah", "Olivia", "Claire",
    "Diane", "Erin", "Natalie", "Victoria", "Heather", "Julia", "Meredith", "Colleen",
)  # fmt: skip
ENGLISH_SURNAMES = (
    "Anderson", "Bennett", "Brooks", "Carter", "Chen", "Collins", "Cooper", "Davis", "Edwards",
    "Fischer", "Foster", "Gallagher", "Hayes", "Hughes", "Jensen", "Kim", "Kowalski", "Larsen",
    "Mitchell", "Murphy", "Nguyen", "O'Brien", "Patel", "Parker", "Quinn", "Reed",
    "Richardson", "Shaw", "Sullivan", "Thompson", "Walsh", "Warren", "Whitaker", "Yamamoto",
    "Young", "Baker", "Caldwell", "Donovan", "Harper", "Okafor", "Lindgren", "Begay",
)  # fmt: skip

CONTACT_TAGS = (
    "priority", "border", "task force", "extradition", "Hague Convention", "trata",
    "invitación cumbre 2026", "speaker", "MOU",
)  # fmt: skip
PERSONAL_EMAIL_DOMAINS = ("correo.example", "mail.example", "buzon.example")

NOTES = {
    "en": (
        "Met at the 2025 Binational Conference on Child Abduction in San Diego.",
        "Prefers a call before any formal request is sent.",
        "Point of contact for extradition packages; copy the unit mailbox.",
        "Back-up contact while the primary is on detail.",
        "Co-presented at the border training in El Centro.",
        "Ask about the status of the joint MOU draft.",
    ),
    "es": (
        "Nos conocimos en la Conferencia Binacional sobre Sustracción de Menores 2025 en Tijuana.",
        "Prefiere el correo institucional; WhatsApp solo para urgencias.",
        "Enlace para solicitudes de asistencia jurídica internacional.",
        "Suplente del enlace principal durante su comisión.",
        "Ponente en la capacitación sobre trata de personas en Mexicali.",
        "Pendiente: confirmar asistencia a la cumbre binacional 2026.",
    ),
}

# People who changed posts: (former organization, current organization).
MOVES = (
    ("fgebc", "fgr_bc"), ("fgebc", "fgr_bc"), ("fgebc", "fgr_dgpi"), ("fgebc_tijuana", "fgr"),
    ("fgjes", "fgr"), ("fge_jalisco", "fgr_femdo"), ("fge_michoacan", "fgr_aic"),
    ("fgebc_trata", "red_victimas"), ("consulado_los_angeles", "consulado_santa_ana"),
    ("consulado_fresno", "consulado_sacramento"), ("consulado_oxnard", "sre_dgpcpe"),
    ("consulado_san_jose", "ime"), ("consulado_san_diego", "consulado_los_angeles"),
    ("sdcda", "usao_sdca"), ("sdcda", "usao_sdca"), ("imperial_da", "sdcda"),
    ("cvpd", "sdcda"), ("lasd", "fbi_sd"), ("sdpd", "hsi_sd"), ("usao_sdca", "doj_oia"),
    ("cbp_sd", "hsi_sd"), ("usbp_sd", "usms_sdca"), ("dos_oci", "ncmec"), ("cast", "lacda"),
    ("ssc_bc", "guardia_nacional"), ("tijuana_police", "ssc_bc"), ("uif", "banco_noroeste"),
    ("fincen", "pacific_frontier_bank"), ("dcss", "ocss"), ("profepa", "unodc_mx"),
    ("dif_bc", "sndif"), ("ca_assembly_ps", "obna"),
)  # fmt: skip

# Second, concurrent posts some people hold: (organization, English title, Spanish title).
SIDE_POSTS = (
    ("unodc_mx", "Training Liaison", "Enlace de capacitación"),
    ("ncmec", "Advisory Board Member", "Integrante del consejo asesor"),
    ("cast", "Board Member", "Integrante del consejo directivo"),
    ("red_victimas", "Advisory Committee Member", "Integrante del comité consultivo"),
    ("interpol_washington", "Liaison Officer", "Oficial de enlace"),
    ("oas_dps", "Expert Trainer", "Especialista en capacitación"),
)


@dataclass(frozen=True)
class _Person:
    given: str
    family: str
    second: str
    female: bool
    language: str


# -- interactions and follow-ups ------------------------------------------------------------

INTERACTION_COUNT = 400
FOLLOW_UP_COUNT = 60
HISTORY_DAYS = 365
AHEAD_DAYS = 60
# Tiered records held back from anything this recent, so "going cold" has something to show.
COLD_DAYS = 120
DEMO_OFFICER = "officer@liaison.demo"

IK = InteractionKind
KIND_WEIGHTS = (
    (IK.MEETING, 38), (IK.CALL, 27), (IK.EMAIL, 20), (IK.CONFERENCE, 5), (IK.TRAINING, 5),
    (IK.SITE_VISIT, 5),
)  # fmt: skip

# Work area -> subjects in English and Spanish; {org} is the counterpart's short name.
SUBJECTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "abduction": (
        (
            "Follow-up meeting: child abduction case with {org}",
            "Hague return petition review",
            "Call with {org} on a parental abduction case",
            "Location of an abducted minor",
        ),
        (
            "Reunión de seguimiento: sustracción de menores",
            "Revisión de solicitud de restitución",
            "Llamada con {org} sobre caso de sustracción parental",
            "Localización de menor sustraído",
        ),
    ),
    "support": (
        (
            "Child support enforcement case review",
            "Call with {org} on support arrears",
            "Reciprocity review of child support orders",
        ),
        (
            "Revisión de casos de pensión alimenticia",
            "Llamada con {org} sobre adeudos de pensión",
            "Reconocimiento de resoluciones de pensión alimenticia",
        ),
    ),
    "trafficking": (
        (
            "Call with {org} on trafficking case",
            "Human trafficking task force meeting",
            "Victim identification protocol review",
        ),
        (
            "Llamada con {org} sobre caso de trata",
            "Reunión del grupo de trabajo contra la trata",
            "Revisión del protocolo de identificación de víctimas",
        ),
    ),
    "drugs": (
        (
            "Fentanyl seizure trends briefing",
            "Call with {org} on a cross-border seizure",
            "Precursor chemicals coordination",
        ),
        (
            "Sesión informativa sobre aseguramientos de fentanilo",
            "Llamada con {org} sobre aseguramiento transfronterizo",
            "Coordinación sobre precursores químicos",
        ),
    ),
    "weapons": (
        ("Firearms tracing results with {org}", "Southbound weapons smuggling coordination"),
        ("Resultados de rastreo de armas con {org}", "Coordinación contra el tráfico de armas"),
    ),
    "laundering": (
        (
            "Binational AML working group",
            "Call with {org} on suspicious transfers",
            "Trade-based money laundering case review",
        ),
        (
            "Grupo de trabajo binacional contra el lavado de dinero",
            "Llamada con {org} sobre transferencias sospechosas",
            "Revisión de caso de lavado basado en comercio",
        ),
    ),
    "fugitives": (
        (
            "Extradition request status with {org}",
            "Fugitive case coordination",
            "Provisional arrest request review",
        ),
        (
            "Estado de la solicitud de extradición con {org}",
            "Coordinación de casos de prófugos",
            "Revisión de solicitud de detención provisional",
        ),
    ),
    "environment": (
        ("Border environmental enforcement update", "Illegal dumping inspection with {org}"),
        (
            "Actualización sobre delitos ambientales fronterizos",
            "Inspección de tiraderos clandestinos con {org}",
        ),
    ),
    "victims": (
        ("Victim services coordination with {org}", "Repatriation support for a victim"),
        ("Coordinación de atención a víctimas con {org}", "Apoyo para repatriación de víctima"),
    ),
    "training": (
        ("Training on evidence sharing for prosecutors", "Workshop: MLAT requests"),
        ("Capacitación sobre intercambio de pruebas para fiscales", "Taller: solicitudes MLAT"),
    ),
}
KIND_PREFIXES = {
    IK.CONFERENCE: ("Binational conference: ", "Conferencia binacional: "),
    IK.TRAINING: ("Training: ", "Capacitación: "),
    IK.SITE_VISIT: ("Site visit: ", "Visita de campo: "),
}
CONTACT_VERBS = {
    IK.MEETING: ("Meeting with ", "Reunión con "),
    IK.EMAIL: ("Correspondence with ", "Correspondencia con "),
}
SUMMARIES = (
    ("Reviewed open cases and agreed on next steps.",
     "Exchanged updates on pending requests; no blocking issues.",
     "Discussed the timeline and the documents still missing.",
     "Briefed the counterpart on recent changes to our procedures.",
     "Walked through the case file together and clarified the points of contact."),
    ("Se revisaron los casos abiertos y se acordaron los siguientes pasos.",
     "Intercambio de avances sobre solicitudes pendientes; sin obstáculos.",
     "Se habló del calendario y de los documentos que aún faltan.",
     "Se informó a la contraparte sobre los cambios recientes en nuestros procedimientos.",
     "Se revisó el expediente en conjunto y se aclararon los enlaces."),
)  # fmt: skip
OUTCOMES = (
    ("Counterpart will send the certified documents.", "Next meeting to be scheduled.",
     "We will circulate the draft protocol.", "Case escalated to the unit lead.",
     "Agreed to share contact lists for the task force."),
    ("La contraparte enviará los documentos certificados.", "Se agendará la próxima reunión.",
     "Circularemos el borrador del protocolo.", "El caso se escaló al titular de la unidad.",
     "Se acordó compartir directorios del grupo de trabajo."),
)  # fmt: skip
FOLLOW_UPS = (
    "Send meeting notes to the counterpart", "Request certified copies of the court order",
    "Confirm the next meeting date", "Share the updated contact list",
    "Draft the letter to the consulate", "Check the status of the extradition request",
    "Forward the case file to the unit lead", "Prepare the briefing for the director",
    "Enviar minuta a la contraparte", "Solicitar apostilla de la resolución",
    "Confirmar asistencia a la capacitación", "Dar seguimiento a la solicitud de información",
)  # fmt: skip
MX_ZONES = {"MX-BCN": "America/Tijuana", "MX-SON": "America/Hermosillo"}


def _zone(org: Organization) -> str:
    if org.country == "MX":
        return MX_ZONES.get(org.subdivision, "America/Mexico_City")
    return "America/Los_Angeles"


class _Builder:
    """Holds the random source and the lookups while the office is being built."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        tiers = db.session.scalars(select(RelationshipTier).order_by(RelationshipTier.rank))
        self.tiers = {tier.rank: tier for tier in tiers}
        self.areas = {area.name: area for area in db.session.scalars(select(WorkArea))}
        self.counties = {
            county.name: county
            for county in db.session.scalars(select(County).where(County.subdivision == "US-CA"))
        }
        self.tags: dict[str, Tag] = {
            tag.name_key: tag for tag in db.session.scalars(select(Tag).order_by(Tag.id))
        }
        self.new_tags: list[Tag] = []
        self.users: list[User] = []
        self.orgs: dict[str, Organization] = {}
        self.specs = {spec.key: spec for spec in ORGANIZATIONS}
        self.used_numbers: set[str] = set()
        self.used_names: set[str] = set()
        self.used_emails: set[str] = set()
        self.affiliations = 0

    # -- shared pieces ------------------------------------------------------------------

    def tag(self, name: str) -> Tag:
        key = fold(name)
        if key not in self.tags:
            self.tags[key] = Tag(name=name, name_key=key)
            self.new_tags.append(self.tags[key])
            db.session.add(self.tags[key])
        return self.tags[key]

    def tier(self, rank: int) -> RelationshipTier | None:
        if rank == 0:
            rank = self.rng.choice((0, 0, 2, 3, 3))
        return self.tiers.get(rank)

    def owner(self, level: Sensitivity) -> User:
        """An officer cleared for the record (the admin when no officer is)."""
        officers = [u for u in self.users if u.role == Role.OFFICER and u.clearance >= level]
        if not officers:
            return next(u for u in self.users if u.role == Role.ADMIN)
        return self.rng.choice(officers)

    def date_between(self, start: date, end: date) -> date:
        return start + timedelta(days=self.rng.randint(0, (end - start).days))

    def phone(self, city: str, main_line: bool = False) -> str:
        """A new number in the city's area codes: US 555-01xx, Mexico random digits."""
        country, codes = CITY_AREA_CODES[city]
        for _ in range(200):
            area = codes[0] if main_line else self.rng.choice(codes)
            if country == "US":
                raw = f"+1{area}55501{self.rng.randint(0, 99):02d}"
            else:
                rest = "".join(str(self.rng.randint(0, 9)) for _ in range(9 - len(area)))
                raw = f"+52{area}{self.rng.randint(2, 9)}{rest}"
            number = normalize_phone(raw, "US")
            if number not in self.used_numbers:
                self.used_numbers.add(number)
                return number
        raise RuntimeError(f"ran out of demo phone numbers for {city}")

    # -- users --------------------------------------------------------------------------

    def add_users(self) -> None:
        password_hash = hash_password(DEMO_PASSWORD)
        for spec in DEMO_USERS:
            user = User(
                email=normalize_email(spec.email),
                full_name=spec.full_name,
                password_hash=password_hash,
                role=spec.role.value,
                clearance=spec.clearance,
                language=spec.language,
                timezone=spec.timezone,
                active=True,
            )
            db.session.add(user)
            self.users.append(user)

    # -- organizations ------------------------------------------------------------------

    def domain(self, spec: OrgSpec) -> str:
        if spec.domain:
            return spec.domain
        if spec.parent:
            return self.domain(self.specs[spec.parent])
        slug = re.sub(r"[^a-z0-9]+", "-", fold(spec.acronym or spec.key)).strip("-")
        return f"{slug}.example"

    def add_organization(self, spec: OrgSpec) -> Organization:
        if spec.subdivision and not is_subdivision_of(spec.subdivision, spec.country):
            raise ValueError(f"{spec.key}: {spec.subdivision} is not in {spec.country}")
        org = Organization(
            kind=spec.kind.value,
            name=spec.name,
            name_es=spec.name_es,
            acronym=spec.acronym,
            name_key=fold(spec.name),
            search_key=search_key(spec.name, spec.name_es, spec.acronym),
            country=spec.country,
            subdivision=spec.subdivision,
            government_level=spec.level.value,
            parent=self.orgs[spec.parent] if spec.parent else None,
            website=spec.website,
            street=spec.street,
            city=spec.city,
            postal_code=spec.postal_code,
            sensitivity=spec.sensitivity,
            notes=spec.notes,
        )
        if not spec.parent:
            mailbox = "contacto" if STAFFING[spec.staff].language == "es" else "info"
            org.email = normalize_email(f"{mailbox}@{self.domain(spec)}")
        if spec.city in CITY_AREA_CODES:
            org.phone = self.phone(spec.city, main_line=True)
        org.tier = self.tier(spec.tier)
        if org.tier is not None or self.rng.random() < 0.4:
            org.owner = self.owner(spec.sensitivity)
        org.tags = [self.tag(name) for name in spec.tags]
        org.work_areas = [
            self.areas[WORK_AREAS[a]] for a in spec.areas if WORK_AREAS[a] in self.areas
        ]
        org.district_counties = [self.counties[name] for name in spec.counties]
        db.session.add(org)
        self.orgs[spec.key] = org
        return org

    def add_organizations(self) -> None:
        for spec in ORGANIZATIONS:
            self.add_organization(spec)
        covered = [name for spec in ORGANIZATIONS for name in spec.counties]
        if sorted(covered) != sorted(self.counties):
            raise ValueError("every California county must be in exactly one consular district")

    # -- people -------------------------------------------------------------------------

    def new_person(self, spec: OrgSpec) -> _Person:
        rng = self.rng
        language = STAFFING[spec.staff].language
        female = rng.random() < 0.5
        if language == "es":
            spanish_name, two_surnames = True, rng.random() < 0.9
        else:
            share = 0.35 if spec.subdivision == "US-CA" else 0.12
            spanish_name, two_surnames = rng.random() < share, rng.random() < 0.3
        for _ in range(100):
            if spanish_name:
                given = rng.choice(SPANISH_GIVEN_FEMALE if female else SPANISH_GIVEN_MALE)
                family = rng.choice(SPANISH_SURNAMES)
                second = rng.choice(SPANISH_SURNAMES) if two_surnames else ""
            else:
                given = rng.choice(ENGLISH_GIVEN_FEMALE if female else ENGLISH_GIVEN_MALE)
                family, second = rng.choice(ENGLISH_SURNAMES), ""
            full = name_key(given, family, second)
            if second != family and full not in self.used_names:
                break
        self.used_names.add(full)
        preferred = "es" if language == "es" or (spanish_name and rng.random() < 0.25) else "en"
        return _Person(given, family, second, female, preferred)

    def default_honorific(self, person: _Person, language: str) -> str:
        rng = self.rng
        if language == "es":
            pick = rng.choices(("Lic.", "Mtro.", "Dr."), weights=(6, 3, 1))[0]
            return {"Mtro.": "Mtra.", "Dr.": "Dra."}.get(pick, pick) if person.female else pick
        pick = rng.choices(("title", "", "Dr."), weights=(6, 3, 1))[0]
        return ("Ms." if person.female else "Mr.") if pick == "title" else pick

    def pick_post(self, spec: OrgSpec, person: _Person) -> tuple[str, str, str]:
        """Title, department and the honorific that goes with it."""
        staffing = STAFFING[spec.staff]
        post = self.rng.choice(staffing.posts)
        title = post.title_f if person.female and post.title_f else post.title
        honorific = (post.honorific_f or post.honorific) if person.female else post.honorific
        return (
            title,
            post.department,
            honorific or self.default_honorific(person, staffing.language),
        )

    def email_address(self, person: _Person, domain: str, personal: bool) -> str:
        given = re.sub(r"[^a-z]", "", fold(person.given.split()[0]))
        family = re.sub(r"[^a-z]", "", fold(person.family))
        if personal:
            local = f"{given}{family}{self.rng.randint(1, 99)}"
        else:
            local = self.rng.choice((f"{given}.{family}", f"{given[0]}{family}"))
        address, n = f"{local}@{domain}", 1
        while address in self.used_emails:
            n += 1
            address = f"{local}{n}@{domain}"
        self.used_emails.add(address)
        return normalize_email(address)

    def contact_sensitivity(self, org_level: Sensitivity) -> Sensitivity:
        """Mostly the organization's level; some people are public, some more sensitive."""
        draw = self.rng.random()
        if draw < 0.08 and org_level <= S.OFFICIAL:
            return S.PUBLIC
        if draw < 0.2:
            ceiling = S.LAW_ENFORCEMENT_SENSITIVE if org_level >= S.CONFIDENTIAL else S.CONFIDENTIAL
            return Sensitivity(min(org_level + 1, ceiling))
        return org_level

    def add_contact(self, spec: OrgSpec, person: _Person, honorific: str) -> Contact:
        rng = self.rng
        sensitivity = self.contact_sensitivity(spec.sensitivity)
        contact = Contact(
            honorific=honorific,
            given_names=person.given,
            family_name=person.family,
            second_family_name=person.second,
            name_key=name_key(person.given, person.family, person.second),
            preferred_language=person.language,
            sensitivity=sensitivity,
            notes=rng.choice(NOTES[person.language]) if rng.random() < 0.25 else "",
        )
        contact.tier = self.tiers.get(rng.choice((0, 1, 2, 2, 3, 3)))
        if contact.tier is not None or rng.random() < 0.3:
            contact.owner = self.owner(sensitivity)
        tag_names = rng.sample(CONTACT_TAGS, k=rng.choice((0, 0, 1, 1, 2)))
        if sensitivity == S.LAW_ENFORCEMENT_SENSITIVE:
            tag_names.append("vetted")
        contact.tags = sorted({self.tag(n) for n in tag_names}, key=lambda t: t.name_key)

        work = self.email_address(person, self.domain(spec), personal=False)
        contact.emails = [ContactEmail(address=work, kind=EmailKind.WORK.value, position=0)]
        if rng.random() < 0.35:
            personal = self.email_address(person, rng.choice(PERSONAL_EMAIL_DOMAINS), True)
            contact.emails.append(
                ContactEmail(address=personal, kind=EmailKind.PERSONAL.value, position=1)
            )
        if spec.city in CITY_AREA_CODES:
            kinds = rng.choices(((), ("work",), ("mobile",), ("work", "mobile")), (15, 35, 15, 35))
            for position, kind in enumerate(kinds[0]):
                org_line = self.orgs[spec.key].phone
                if kind == "work" and org_line:
                    number, extension = org_line, str(rng.randint(100, 4999))
                else:
                    number, extension = self.phone(spec.city), ""
                phone_kind = PhoneKind.WORK if kind == "work" else PhoneKind.MOBILE
                contact.phones.append(
                    ContactPhone(
                        number=number,
                        extension=extension,
                        kind=phone_kind.value,
                        position=position,
                    )
                )
        db.session.add(contact)
        return contact

    def affiliate(
        self,
        contact: Contact,
        org_key: str,
        title: str,
        department: str,
        start: date,
        end: date | None = None,
        primary: bool = False,
    ) -> None:
        contact.affiliations.append(
            Affiliation(
                organization=self.orgs[org_key],
                title=title,
                department=department,
                start_date=start,
                end_date=end,
                is_primary=primary,
            )
        )
        self.affiliations += 1

    def add_person_at(self, org_key: str, former_key: str = "") -> Contact:
        """A new contact whose current post is at ``org_key`` (after one at ``former_key``)."""
        spec = self.specs[org_key]
        person = self.new_person(spec)
        title, department, honorific = self.pick_post(spec, person)
        contact = self.add_contact(spec, person, honorific)
        if former_key:
            old_title, old_department, _ = self.pick_post(self.specs[former_key], person)
            ended = self.date_between(date(2020, 1, 1), date(2025, 9, 30))
            began = ended - timedelta(days=self.rng.randint(700, 3000))
            self.affiliate(contact, former_key, old_title, old_department, began, ended)
            start = ended + timedelta(days=self.rng.randint(1, 45))
        else:
            start = self.date_between(date(2014, 1, 1), REFERENCE_DATE - timedelta(days=60))
        self.affiliate(contact, org_key, title, department, start, primary=True)
        return contact

    def add_jose_angel(self) -> Contact:
        """The walkthrough's guide: moved from Calexico to the Consulate General in San Diego."""
        person = _Person("José Ángel", "Núñez", "Peña", female=False, language="es")
        self.used_names.add(name_key(person.given, person.family, person.second))
        contact = self.add_contact(self.specs["consulado_san_diego"], person, "Lic.")
        contact.sensitivity = S.OFFICIAL
        contact.tier = self.tiers.get(1)
        contact.owner = next(u for u in self.users if u.language == "es")
        contact.tags = sorted((self.tag("border"), self.tag("priority")), key=lambda t: t.name_key)
        work_line = self.orgs["consulado_san_diego"].phone
        contact.phones = [
            ContactPhone(number=work_line, extension="214", kind=PhoneKind.WORK.value, position=0),
            ContactPhone(number=self.phone("San Diego"), kind=PhoneKind.MOBILE.value, position=1),
        ]
        if len(contact.emails) == 1:
            personal = self.email_address(person, "correo.example", personal=True)
            contact.emails.append(
                ContactEmail(address=personal, kind=EmailKind.PERSONAL.value, position=1)
            )
        contact.notes = (
            "Jefe de Protección en San Diego desde agosto de 2024; antes cónsul adscrito en "
            "Calexico. Enlace principal para casos de sustracción de menores."
        )
        protection = "Departamento de Protección"
        self.affiliate(
            contact,
            "consulado_calexico",
            "Cónsul Adscrito",
            protection,
            date(2019, 3, 1),
            date(2024, 7, 31),
        )
        self.affiliate(
            contact,
            "consulado_san_diego",
            "Jefe de Protección",
            protection,
            date(2024, 8, 16),
            primary=True,
        )
        return contact

    def add_contacts(self) -> list[Contact]:
        rng = self.rng
        contacts = [self.add_jose_angel()]
        contacts += [self.add_person_at(current, former) for former, current in MOVES]
        # Everyone else: one at each organization, the rest spread by the organizations' weight.
        keys = [spec.key for spec in ORGANIZATIONS]
        weights = [spec.weight for spec in ORGANIZATIONS]
        extra = rng.choices(keys, weights, k=CONTACT_COUNT - len(contacts) - len(keys))
        contacts += [self.add_person_at(key) for key in keys + extra]
        # About one in ten also holds a second, concurrent post.
        for contact in rng.sample(contacts[1:], k=CONTACT_COUNT // 10):
            org_key, title_en, title_es = rng.choice(SIDE_POSTS)
            if any(post.organization is self.orgs[org_key] for post in contact.affiliations):
                continue
            title = title_es if contact.preferred_language == "es" else title_en
            start = self.date_between(date(2019, 1, 1), date(2025, 6, 30))
            self.affiliate(contact, org_key, title, "", start)
        return contacts

    # -- interactions -------------------------------------------------------------------

    @staticmethod
    def primary_org(contact: Contact) -> Organization:
        posts = [a for a in contact.affiliations if a.end_date is None]
        return next((a for a in posts if a.is_primary), posts[0]).organization

    def pick_owner(self, level: Sensitivity) -> User:
        """An officer or admin cleared for ``level``; the demo officer more often."""
        cleared = [
            u
            for u in self.users
            if u.role in (Role.OFFICER.value, Role.ADMIN.value) and u.clearance >= level
        ]
        weights = [4 if u.email == DEMO_OFFICER else 1 for u in cleared]
        return self.rng.choices(cleared, weights)[0]

    def add_interaction(self, people: list[Contact], day: date, today: date) -> Interaction:
        rng = self.rng
        orgs: list[Organization] = []
        for person in people:
            if (org := self.primary_org(person)) not in orgs:
                orgs.append(org)
        lead = orgs[0]
        language = 1 if people[0].preferred_language == "es" else 0
        kind = rng.choices([k for k, _ in KIND_WEIGHTS], [w for _, w in KIND_WEIGHTS])[0]
        areas = list(lead.work_areas) or list(self.areas.values())
        areas = rng.sample(areas, k=min(len(areas), rng.choice((1, 1, 2))))
        short = {name: key for key, name in WORK_AREAS.items()}
        area_key = short.get(areas[0].name, "training")
        subject = rng.choice(SUBJECTS[area_key][language]).format(org=lead.acronym or lead.name)
        for verb in ("Call with ", "Llamada con "):
            if subject.startswith(verb) and kind != IK.CALL:
                lead_in = CONTACT_VERBS.get(kind, CONTACT_VERBS[IK.MEETING])[language]
                subject = lead_in + subject.removeprefix(verb)
        if kind in KIND_PREFIXES and not subject.startswith(("Training", "Capacitación")):
            rest = subject if subject[1:2].isupper() else subject[0].lower() + subject[1:]
            subject = KIND_PREFIXES[kind][language] + rest
        zone = _zone(lead)
        start = time(rng.randint(8, 15), rng.choice((0, 15, 30, 45)))
        minutes = rng.choice(range(30, 121, 15))
        starts_at = to_instant(day, start, zone)
        if day < today:
            status = InteractionStatus.CANCELLED if rng.random() < 0.08 else InteractionStatus.HELD
        else:
            status = (
                InteractionStatus.CANCELLED if rng.random() < 0.05 else InteractionStatus.PLANNED
            )
        sensitivity = max([p.sensitivity for p in people] + [o.sensitivity for o in orgs])
        owner = self.pick_owner(sensitivity)
        interaction = Interaction(
            kind=kind.value,
            subject=subject[:300],
            starts_at=starts_at,
            ends_at=None if kind == IK.EMAIL else starts_at + timedelta(minutes=minutes),
            timezone=zone,
            status=status.value,
            sensitivity=sensitivity,
            owner=owner,
        )
        place = ", ".join(part for part in (lead.name, lead.city) if part)
        if kind in (IK.CONFERENCE, IK.TRAINING, IK.SITE_VISIT) or (
            kind == IK.MEETING and rng.random() < 0.6
        ):
            interaction.location = place
        elif kind in (IK.MEETING, IK.CALL) and rng.random() < 0.5:
            interaction.video_url = (
                f"https://meet.example/{rng.randint(100, 999)}-{rng.randint(1000, 9999)}"
            )
        if status == InteractionStatus.HELD:
            interaction.summary = rng.choice(SUMMARIES[language])
            interaction.outcome = rng.choice(OUTCOMES[language])
        interaction.contact_links = [
            InteractionContact(contact=p, organization=self.primary_org(p)) for p in people
        ]
        interaction.organizations = orgs
        staff = [owner]
        if rng.random() < 0.3:
            others = [
                u
                for u in self.users
                if u.role == Role.OFFICER.value and u is not owner and u.clearance >= sensitivity
            ]
            if others:
                staff.append(rng.choice(others))
        interaction.staff = staff
        interaction.work_areas = areas
        db.session.add(interaction)
        return interaction

    def add_interactions(self, contacts: list[Contact], today: date) -> list[Interaction]:
        """About a year of history and two months of plans around ``today``.

        Some Tier 1 and Tier 2 organizations and people are kept out of the last ``COLD_DAYS``
        (they are going cold); most of the other Tier 1 ones had a meeting this month.
        """
        rng = self.rng
        tiered_orgs = {
            rank: [
                org
                for key, org in self.orgs.items()
                if org.tier is not None
                and org.tier.rank == rank
                and self.specs[key].kind != K.INTERNAL_UNIT
            ]
            for rank in (1, 2)
        }
        cold_orgs = rng.sample(tiered_orgs[1], k=max(2, len(tiered_orgs[1]) // 7))
        cold_orgs += rng.sample(tiered_orgs[2], k=max(2, len(tiered_orgs[2]) // 4))
        cold = {id(org) for org in cold_orgs}
        for contact in contacts:
            rank = contact.tier.rank if contact.tier is not None else 0
            share = {1: 0.1, 2: 0.25}.get(rank, 0.0)
            if id(self.primary_org(contact)) in cold or rng.random() < share:
                cold.add(id(contact))
        warm = [c for c in contacts if id(c) not in cold]

        def day_between(first: int, last: int) -> date:
            return today + timedelta(days=rng.randint(first, last))

        def colleagues(person: Contact, pool: list[Contact]) -> list[Contact]:
            group = [person]
            org = self.primary_org(person)
            same = [c for c in pool if c is not person and self.primary_org(c) is org]
            for _ in range(rng.choices((0, 1, 2), (55, 32, 13))[0]):
                options = same if same and rng.random() < 0.6 else pool
                extra = rng.choice(options)
                if extra not in group:
                    group.append(extra)
            return group

        interactions: list[Interaction] = []
        # Keep most warm Tier 1 (and many Tier 2) relationships within their cadence.
        seen: set[int] = set()
        for contact in warm:
            rank = contact.tier.rank if contact.tier is not None else 0
            org = self.primary_org(contact)
            org_rank = org.tier.rank if org.tier is not None else 0
            due = min(r for r in (rank, org_rank, 9) if r)
            if due > 2 or id(contact) in seen or (due == 1 and id(org) in seen and not rank):
                continue
            if due == 2 and rng.random() < 0.3:
                continue
            group = colleagues(contact, warm)
            seen.update(id(p) for p in group)
            seen.update(id(self.primary_org(p)) for p in group)
            day = day_between(-25, -2) if due == 1 else day_between(-80, -2)
            interaction = self.add_interaction(group, day, today)
            interaction.status = InteractionStatus.HELD.value
            interaction.summary = interaction.summary or rng.choice(SUMMARIES[0])
            interaction.outcome = interaction.outcome or rng.choice(OUTCOMES[0])
            interactions.append(interaction)
        # The rest, spread over the whole period.
        while len(interactions) < INTERACTION_COUNT:
            day = day_between(-HISTORY_DAYS, AHEAD_DAYS)
            pool = warm if -COLD_DAYS <= (day - today).days <= 0 else contacts
            interactions.append(
                self.add_interaction(colleagues(rng.choice(pool), pool), day, today)
            )
        return interactions

    def add_follow_ups(self, interactions: list[Interaction], today: date) -> list[FollowUp]:
        rng = self.rng
        held = [i for i in interactions if i.status == InteractionStatus.HELD.value]
        officers = [u for u in self.users if u.role == Role.OFFICER.value]
        demo_officer = next(u for u in officers if u.email == DEMO_OFFICER)
        follow_ups = []
        for _ in range(FOLLOW_UP_COUNT):
            assignee = demo_officer if rng.random() < 0.6 else rng.choice(officers)
            options = [i for i in held if i.sensitivity <= assignee.clearance]
            interaction = rng.choice(options)
            follow_up = FollowUp(
                description=rng.choice(FOLLOW_UPS),
                due_date=today + timedelta(days=rng.randint(-21, 42)),
                assignee=assignee,
                interaction=interaction,
            )
            if interaction.contact_links and rng.random() < 0.5:
                follow_up.contact = interaction.contact_links[0].contact
            if rng.random() < 0.3:
                latest = min(follow_up.due_date, today - timedelta(days=1))
                done = latest - timedelta(days=rng.randint(0, 5))
                follow_up.done_at = datetime.combine(done, time(rng.randint(15, 23)), UTC)
            db.session.add(follow_up)
            follow_ups.append(follow_up)
        return follow_ups


def load_demo_office(seed: int = 2026) -> dict[str, int]:
    """Add the demo office to the current db.session (flush, do not commit); return counts per kind.

    Meant for an empty database: the caller checks that first (see ``flask crm seed-demo``).
    """
    ensure_reference_data()
    builder = _Builder(seed)
    builder.add_users()
    builder.add_organizations()
    contacts = builder.add_contacts()
    today = date.today()
    interactions = builder.add_interactions(contacts, today)
    follow_ups = builder.add_follow_ups(interactions, today)
    db.session.flush()
    return {
        "users": len(builder.users),
        "organizations": len(builder.orgs),
        "contacts": len(contacts),
        "affiliations": builder.affiliations,
        "e-mail addresses": sum(len(contact.emails) for contact in contacts),
        "phone numbers": sum(len(contact.phones) for contact in contacts),
        "tags": len(builder.new_tags),
        "interactions": len(interactions),
        "follow-ups": len(follow_ups),
    }
