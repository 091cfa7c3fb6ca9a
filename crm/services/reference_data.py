"""Reference data every installation starts with: tiers, work areas and California counties."""

from __future__ import annotations

from sqlalchemy import func, select

from crm.extensions import db
from crm.models import County, RelationshipTier, WorkArea

DEFAULT_TIERS = (
    ("Tier 1 — Strategic", 1, 30, "Leadership-level partners; contact at least monthly."),
    ("Tier 2 — Operational", 2, 90, "Day-to-day working partners; contact at least quarterly."),
    ("Tier 3 — Informational", 3, 180, "Keep informed; contact at least twice a year."),
)

DEFAULT_WORK_AREAS = (
    ("Child abduction", "Sustracción de menores"),
    ("International child support", "Pensión alimenticia internacional"),
    ("Human trafficking", "Trata de personas"),
    ("Drug smuggling", "Tráfico de drogas"),
    ("Weapons smuggling", "Tráfico de armas"),
    ("Money laundering", "Lavado de dinero"),
    ("Fugitive prosecution", "Persecución de prófugos"),
    ("Border environmental enforcement", "Protección ambiental fronteriza"),
    ("Victim services", "Atención a víctimas"),
    ("Training and capacity building", "Capacitación"),
)

# The 58 California counties in FIPS order (06001 Alameda ... 06115 Yuba).
CALIFORNIA_COUNTIES = (
    "Alameda", "Alpine", "Amador", "Butte", "Calaveras", "Colusa", "Contra Costa", "Del Norte",
    "El Dorado", "Fresno", "Glenn", "Humboldt", "Imperial", "Inyo", "Kern", "Kings", "Lake",
    "Lassen", "Los Angeles", "Madera", "Marin", "Mariposa", "Mendocino", "Merced", "Modoc",
    "Mono", "Monterey", "Napa", "Nevada", "Orange", "Placer", "Plumas", "Riverside",
    "Sacramento", "San Benito", "San Bernardino", "San Diego", "San Francisco", "San Joaquin",
    "San Luis Obispo", "San Mateo", "Santa Barbara", "Santa Clara", "Santa Cruz", "Shasta",
    "Sierra", "Siskiyou", "Solano", "Sonoma", "Stanislaus", "Sutter", "Tehama", "Trinity",
    "Tulare", "Tuolumne", "Ventura", "Yolo", "Yuba",
)  # fmt: skip


def ensure_reference_data() -> None:
    """Add whatever reference data is missing; never touches rows an admin has edited."""
    if not db.session.scalar(select(func.count()).select_from(RelationshipTier)):
        for name, rank, cadence, description in DEFAULT_TIERS:
            db.session.add(
                RelationshipTier(
                    name=name, rank=rank, cadence_days=cadence, description=description
                )
            )
    if not db.session.scalar(select(func.count()).select_from(WorkArea)):
        for name, name_es in DEFAULT_WORK_AREAS:
            db.session.add(WorkArea(name=name, name_es=name_es))
    known = set(db.session.scalars(select(County.fips)))
    for index, name in enumerate(CALIFORNIA_COUNTIES):
        fips = f"06{2 * index + 1:03d}"
        if fips not in known:
            db.session.add(County(subdivision="US-CA", name=name, fips=fips))
    db.session.flush()
