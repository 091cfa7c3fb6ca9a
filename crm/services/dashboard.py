"""The home page: my week, and charts of the office's activity, all through the gate."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from crm.extensions import db
from crm.models import (
    AuditEvent,
    Contact,
    FollowUp,
    Interaction,
    InteractionStatus,
    MonthlyActivity,
    Organization,
    User,
    WorkArea,
    interaction_staff,
)
from crm.services.relationships import (
    Relationship,
    TierCoverage,
    most_overdue,
    tier_coverage,
)
from crm.services.visibility import visibility_clause, visible


@dataclass
class ChartSeries:
    """Labelled values for one chart, with the largest for scaling the bars."""

    rows: list[tuple[str, int]]
    # Optional break-down per row (e.g. per kind), for the table under the chart.
    detail: dict[str, Counter[str]] = field(default_factory=dict)

    @property
    def peak(self) -> int:
        return max((value for _label, value in self.rows), default=0) or 1


@dataclass(frozen=True)
class OfficeFigures:
    """What every viewer of one clearance sees alike on the home page."""

    organization_count: int
    contact_count: int
    per_month: ChartSeries
    per_work_area: ChartSeries
    coverage: list[TierCoverage]


@dataclass
class HomeSummary:
    office: OfficeFigures
    upcoming: list[Interaction]
    overdue_follow_ups: list[FollowUp]
    my_cold: list[Relationship]


def _count(model: type, viewer: User) -> int:
    stmt = visible(model, viewer).with_only_columns(func.count()).order_by(None)
    return db.session.scalar(stmt) or 0


def _months_back(today: date, count: int) -> list[str]:
    months, year, month = [], today.year, today.month
    for _ in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(months))


def _monthly(viewer: User, dimension: str, months: list[str]) -> Select[Any]:
    """The held interactions the viewer may see, per month, from the derived counts."""
    return select(MonthlyActivity.month, MonthlyActivity.value, MonthlyActivity.held_count).where(
        visibility_clause(MonthlyActivity, viewer),
        MonthlyActivity.dimension == dimension,
        MonthlyActivity.month.in_(months),
    )


def interactions_per_month(viewer: User, now: datetime, months: int = 12) -> ChartSeries:
    """Held interactions in each of the last ``months`` UTC months, by kind."""
    labels = _months_back(now.date(), months)
    detail: dict[str, Counter[str]] = {label: Counter() for label in labels}
    for label, kind, count in db.session.execute(_monthly(viewer, "kind", labels)):
        detail[label][kind] += count
    return ChartSeries([(label, sum(detail[label].values())) for label in labels], detail)


def interactions_per_work_area(viewer: User, now: datetime, months: int = 12) -> ChartSeries:
    """Held interactions per work area over the same months, the busiest first."""
    labels = _months_back(now.date(), months)
    totals: Counter[int] = Counter()
    for _label, work_area_id, count in db.session.execute(_monthly(viewer, "work_area", labels)):
        totals[int(work_area_id)] += count
    names = {
        area.id: area.label
        for area in db.session.scalars(select(WorkArea).where(WorkArea.id.in_(totals)))
    }
    rows = [(names[i], count) for i, count in totals.items() if i in names]
    return ChartSeries(sorted(rows, key=lambda row: (-row[1], row[0])))


def office_figures(viewer: User, now: datetime) -> OfficeFigures:
    return OfficeFigures(
        organization_count=_count(Organization, viewer),
        contact_count=_count(Contact, viewer),
        per_month=interactions_per_month(viewer, now),
        per_work_area=interactions_per_work_area(viewer, now),
        coverage=tier_coverage(viewer, now),
    )


# Office-wide figures, per process: (database, clearance, language) -> (the data version and
# time they were read, the figures). Every write leaves an audit event, so a new newest event
# means they are read again at once.
_FIGURES: dict[tuple[str, int, str], tuple[tuple[Any, ...], datetime, OfficeFigures]] = {}


def _data_version() -> tuple[Any, ...]:
    return tuple(
        db.session.execute(select(func.max(AuditEvent.id), func.max(AuditEvent.occurred_at))).one()
    )


def reused_office_figures(
    viewer: User, now: datetime, language: str, seconds: int
) -> OfficeFigures:
    """``office_figures``, reused for up to ``seconds`` while nothing is written."""
    if seconds <= 0 or not (viewer.is_authenticated and viewer.active):
        return office_figures(viewer, now)
    key = (str(db.engine.url), int(viewer.clearance), language)
    version = _data_version()
    kept = _FIGURES.get(key)
    if kept and kept[0] == version and timedelta(0) <= now - kept[1] < timedelta(seconds=seconds):
        return kept[2]
    figures = office_figures(viewer, now)
    _FIGURES[key] = (version, now, figures)
    return figures


def home_summary(
    viewer: User, now: datetime, *, language: str = "en", reuse_seconds: int = 0, limit: int = 8
) -> HomeSummary:
    # Asked of each coming meeting in date order (not as a list of every meeting the viewer
    # ever attended, which grows for years), so the first few found end the search. A scalar
    # lookup, not EXISTS: PostgreSQL would hash the viewer's every attendance for an EXISTS.
    attends = (
        select(interaction_staff.c.user_id)
        .where(
            interaction_staff.c.interaction_id == Interaction.id,
            interaction_staff.c.user_id == viewer.id,
        )
        .scalar_subquery()
    )
    mine = or_(Interaction.owner_id == viewer.id, attends.is_not(None))
    upcoming = list(
        db.session.scalars(
            visible(Interaction, viewer)
            .where(mine, Interaction.status == InteractionStatus.PLANNED.value)
            .where(Interaction.starts_at >= now)
            .order_by(Interaction.starts_at)
            .limit(limit)
        )
    )
    overdue = list(
        db.session.scalars(
            visible(FollowUp, viewer)
            .where(FollowUp.assignee_id == viewer.id, FollowUp.done_at.is_(None))
            .where(FollowUp.due_date < now.date())
            .options(selectinload(FollowUp.interaction))
            .order_by(FollowUp.due_date)
            .limit(limit)
        )
    )
    return HomeSummary(
        office=reused_office_figures(viewer, now, language, reuse_seconds),
        upcoming=upcoming,
        overdue_follow_ups=overdue,
        my_cold=most_overdue(viewer, now, viewer.id, limit),
    )
