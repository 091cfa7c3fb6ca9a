"""The home page: my week, and charts of the office's activity, all through the gate."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from crm.extensions import db
from crm.models import (
    Contact,
    FollowUp,
    Interaction,
    InteractionStatus,
    Organization,
    User,
    WorkArea,
    interaction_staff,
    interaction_work_areas,
)
from crm.services.relationships import Relationship, relationships
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


@dataclass
class TierCoverage:
    tier: str
    within: int
    total: int


@dataclass
class HomeSummary:
    organization_count: int
    contact_count: int
    upcoming: list[Interaction]
    overdue_follow_ups: list[FollowUp]
    my_cold: list[Relationship]
    per_month: ChartSeries
    per_work_area: ChartSeries
    coverage: list[TierCoverage]


def _count(model: type, viewer: User) -> int:
    stmt = visible(model, viewer).with_only_columns(func.count()).order_by(None)
    return db.session.scalar(stmt) or 0


def _month(column):
    """The UTC year-month of a timestamp, as YYYY-MM, on either database."""
    if db.engine.dialect.name == "sqlite":
        return func.strftime("%Y-%m", column)
    return func.to_char(func.timezone("UTC", column), "YYYY-MM")


def _months_back(today: date, count: int) -> list[str]:
    months, year, month = [], today.year, today.month
    for _ in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(months))


def interactions_per_month(viewer: User, now: datetime, months: int = 12) -> ChartSeries:
    labels = _months_back(now.date(), months)
    start = datetime.fromisoformat(f"{labels[0]}-01T00:00:00+00:00")
    month = _month(Interaction.starts_at)
    stmt = (
        select(month, Interaction.kind, func.count())
        .where(visibility_clause(Interaction, viewer))
        .where(Interaction.starts_at >= start, Interaction.starts_at <= now)
        .where(Interaction.status == InteractionStatus.HELD.value)
        .group_by(month, Interaction.kind)
    )
    detail: dict[str, Counter[str]] = {label: Counter() for label in labels}
    for label, kind, count in db.session.execute(stmt):
        if label in detail:
            detail[label][kind] += count
    return ChartSeries([(label, sum(detail[label].values())) for label in labels], detail)


def interactions_per_work_area(viewer: User, now: datetime, days: int = 365) -> ChartSeries:
    stmt = (
        select(WorkArea, func.count(Interaction.id))
        .join(interaction_work_areas, interaction_work_areas.c.work_area_id == WorkArea.id)
        .join(Interaction, Interaction.id == interaction_work_areas.c.interaction_id)
        .where(visibility_clause(Interaction, viewer))
        .where(Interaction.starts_at >= now - timedelta(days=days), Interaction.starts_at <= now)
        .group_by(WorkArea.id)
        .order_by(func.count(Interaction.id).desc(), WorkArea.name)
    )
    return ChartSeries([(area.label, count) for area, count in db.session.execute(stmt)])


def home_summary(viewer: User, now: datetime, limit: int = 8) -> HomeSummary:
    mine = or_(
        Interaction.owner_id == viewer.id,
        Interaction.id.in_(
            select(interaction_staff.c.interaction_id).where(
                interaction_staff.c.user_id == viewer.id
            )
        ),
    )
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
    everything = relationships(viewer, now)
    cold = [r for r in everything if r.next_due is None or r.next_due < now]
    my_cold = sorted(
        (r for r in cold if r.record.owner_id == viewer.id),
        key=lambda r: (r.tier.rank, r.days_overdue is not None, -(r.days_overdue or 0)),
    )[:limit]
    cold_keys = {(r.kind, r.record.id) for r in cold}
    coverage: dict[str, TierCoverage] = {}
    for r in sorted(everything, key=lambda r: r.tier.rank):
        row = coverage.setdefault(r.tier.name, TierCoverage(r.tier.label, 0, 0))
        row.total += 1
        row.within += (r.kind, r.record.id) not in cold_keys
    return HomeSummary(
        organization_count=_count(Organization, viewer),
        contact_count=_count(Contact, viewer),
        upcoming=upcoming,
        overdue_follow_ups=overdue,
        my_cold=my_cold,
        per_month=interactions_per_month(viewer, now),
        per_work_area=interactions_per_work_area(viewer, now),
        coverage=list(coverage.values()),
    )
