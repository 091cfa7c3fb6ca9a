"""Downloads of contact and organization lists: CSV (three column sets), vCard and XLSX.

Each file streams as it is written; the export is recorded in the audit log first.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from flask import Blueprint, abort, request, stream_with_context
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from crm.contacts.views import filters_from_request as contact_filters
from crm.extensions import db
from crm.formats import csv_io, vcard, xlsx
from crm.organizations.views import filters_from_request as organization_filters
from crm.services import exports as service
from crm.services.contact_lists import get_list, members
from crm.services.contacts import filtered as filtered_contacts
from crm.services.contacts import get_contact
from crm.services.normalize import file_name_part
from crm.services.organizations import filtered as filtered_organizations
from crm.services.pagination import count_rows
from crm.services.visibility import visible

bp = Blueprint("exports", __name__)

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "vcf": "text/vcard; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def chosen_format(allowed: tuple[service.ExportFormat, ...] = tuple(service.ExportFormat)):
    try:
        export_format = service.ExportFormat(request.args.get("format", "csv"))
    except ValueError:
        abort(400)
    if export_format not in allowed:
        abort(400)
    return export_format


def _download(chunks: Iterator[bytes], extension: str, name: str) -> Response:
    response = Response(stream_with_context(chunks), content_type=MEDIA_TYPES[extension])
    response.headers.set(
        "Content-Disposition",
        "attachment",
        filename=f"{name}-{date.today().isoformat()}.{extension}",
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _recorded(subject: service.ExportSubject, export_format: service.ExportFormat, rows: int):
    """Record the export and commit before the file streams; return the exporting user with
    every attribute loaded, as the stream reads them after the view has returned."""
    service.record_export(subject, export_format, rows, current_user)
    db.session.commit()
    viewer = current_user._get_current_object()
    db.session.refresh(viewer)
    return viewer


CSV_SUFFIXES = {
    service.ExportFormat.CSV_GOOGLE: "-google",
    service.ExportFormat.CSV_OUTLOOK: "-outlook",
}


def contacts_download(
    contacts, subject: service.ExportSubject, export_format: service.ExportFormat, name: str
) -> Response:
    """Any set of (gated) contacts as the chosen file, recorded in the audit log first."""
    viewer = _recorded(subject, export_format, count_rows(contacts))
    records = service.contact_records(contacts, viewer, date.today())
    if export_format in (service.ExportFormat.VCARD3, service.ExportFormat.VCARD4):
        version = "3.0" if export_format is service.ExportFormat.VCARD3 else "4.0"
        response = _download(vcard.vcard_chunks(records, version), "vcf", name)
    else:
        header, row = service.contact_columns(export_format)
        rows = (row(record) for record in records)
        if export_format is service.ExportFormat.XLSX:
            response = _download(xlsx.xlsx_chunks(header, rows, sheet_name=name), "xlsx", name)
        else:
            suffix = {"csv-google": "-google", "csv-outlook": "-outlook"}.get(
                export_format.value, ""
            )
            bom = request.args.get("bom") in ("1", "y", "on")
            chunks = csv_io.csv_chunks(header, rows, bom=bom)
            response = _download(chunks, "csv", name + suffix)
    # The records are read on a thread of their own: it stops with the download, however
    # the download ends.
    response.call_on_close(records.close)
    return response


@bp.get("/contacts")
def contacts() -> Response:
    """The contact list as filtered on its page."""
    filters = contact_filters()
    stmt = filtered_contacts(filters, current_user, date.today())
    subject = service.ExportSubject(_("Contacts: %(filters)s", filters=_describe(request.args)))
    return contacts_download(stmt, subject, chosen_format(), "contacts")


@bp.get("/contacts/<int:contact_id>")
def contact(contact_id: int) -> Response:
    """One person, as a vCard (or any other format)."""
    person = get_contact(contact_id, current_user)
    stmt = visible(type(person), current_user).where(type(person).id == person.id)
    subject = service.ExportSubject(person.full_name, "contact", person.id)
    return contacts_download(
        stmt, subject, chosen_format(), file_name_part(person.full_name, "contact")
    )


@bp.get("/lists/<int:list_id>")
def contact_list(list_id: int) -> Response:
    """A contact list (a smart one as it stands now), in any contact format."""
    chosen = get_list(list_id, current_user)
    stmt = members(chosen, current_user, date.today())
    subject = service.ExportSubject(_("List: %(name)s", name=chosen.name), "export", chosen.id)
    return contacts_download(stmt, subject, chosen_format(), file_name_part(chosen.name, "list"))


@bp.get("/organizations")
def organizations() -> Response:
    filters = organization_filters()
    stmt = filtered_organizations(filters, current_user)
    export_format = chosen_format(service.ORGANIZATION_FORMATS)
    subject = service.ExportSubject(
        _("Organizations: %(filters)s", filters=_describe(request.args))
    )
    viewer = _recorded(subject, export_format, count_rows(stmt))
    header = service.organization_header()
    rows = (
        service.organization_row(r)
        for r in service.organization_records(stmt, viewer, date.today())
    )
    if export_format is service.ExportFormat.XLSX:
        return _download(
            xlsx.xlsx_chunks(header, rows, sheet_name="organizations"), "xlsx", "organizations"
        )
    bom = request.args.get("bom") in ("1", "y", "on")
    return _download(csv_io.csv_chunks(header, rows, bom=bom), "csv", "organizations")


def _describe(args) -> str:
    """The filters of an exported view, for the audit log."""
    shown = [f"{k}={v}" for k, v in sorted(args.items()) if v and k not in ("format", "bom")]
    return ", ".join(shown) or _("all")
