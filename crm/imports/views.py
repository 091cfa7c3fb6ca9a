"""Importing contacts: upload, map the columns, preview every row, commit, and undo."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from crm.auth.access import editor_required
from crm.extensions import db
from crm.formats import csv_io, vcard
from crm.imports.forms import PlanForm, UploadForm
from crm.services import imports as service
from crm.services import uploads
from crm.services.errors import ValidationError

bp = Blueprint("imports", __name__)

TABLE_ERRORS = {
    csv_io.TOO_LARGE: _l("The file is too large (over 20 MB). Split it and import the parts."),
    csv_io.BINARY: _l("This is not a text file: save it as CSV (or vCard) and try again."),
    csv_io.WRONG_ENCODING: _l(
        "The file is not in the chosen text encoding. Choose Windows-1252 for files saved by "
        "older Excel or Outlook, or save it as “CSV UTF-8”."
    ),
    csv_io.EMPTY: _l("The file is empty."),
    csv_io.ONE_COLUMN: _l(
        "Only one column was found: separate the columns with commas, semicolons or tabs, "
        "and put the column names in the first row."
    ),
    csv_io.TOO_MANY_ROWS: _l("The file has more than 100,000 rows. Split it and import the parts."),
    csv_io.MALFORMED: _l("The CSV file is damaged (a quote is not closed, for example)."),
}
CARD_ERRORS = {
    vcard.TOO_LARGE: _l("The file is too large (over 20 MB). Split it and import the parts."),
    vcard.NOT_VCARD: _l("This is not a vCard file."),
    vcard.MALFORMED: _l("Card %(card)s in the file is damaged and cannot be read."),
    vcard.TOO_MANY: _l("The file has more than 100,000 cards. Split it and import the parts."),
}


def _folder() -> Path:
    return Path(current_app.instance_path) / "uploads"


def _is_vcard(name: str, data: bytes) -> bool:
    return name.lower().endswith((".vcf", ".vcard")) or data.lstrip()[:11].upper() == b"BEGIN:VCARD"


def _read(file_format: str, data: bytes, encoding: str) -> csv_io.Table | list:
    """The file's table or cards; raises the format's error."""
    if file_format == "vcard":
        return vcard.read_vcards(data)
    return csv_io.read_table(data, encoding)


def _error_text(error: Exception) -> str:
    if isinstance(error, vcard.CardError):
        return str(CARD_ERRORS[error.reason]) % {"card": error.card}
    assert isinstance(error, csv_io.TableError)
    return str(TABLE_ERRORS[error.reason])


@bp.route("/", methods=["GET", "POST"])
@editor_required
def index() -> str | Response:
    form = UploadForm()
    if form.validate_on_submit():
        file = form.upload.data
        data = file.read(csv_io.MAX_TABLE_BYTES + 1)
        name = file.filename or "upload"
        file_format = "vcard" if _is_vcard(name, data) else "csv"
        try:
            _read(file_format, data, form.encoding.data)
        except (csv_io.TableError, vcard.CardError) as error:
            form.upload.errors = [_error_text(error)]
        else:
            upload = uploads.store(
                _folder(), data, current_user.id, name, file_format, form.encoding.data
            )
            return redirect(url_for(".plan", token=upload.token))
    return render_template(
        "imports/index.html", form=form, batches=service.imports_for(current_user)
    )


@bp.route("/upload/<token>", methods=["GET", "POST"])
@editor_required
def plan(token: str) -> str | Response:
    """Map the columns, preview what each row would do, then import."""
    upload, data = uploads.load(_folder(), token, current_user.id)
    content = _read(upload.file_format, data, upload.encoding)
    form = PlanForm()
    form.set_choices()
    header: list[str] = []
    mapping: list[str] = []
    if isinstance(content, csv_io.Table):
        header = content.header
        mapping = service.detect_mapping(header)
        if form.is_submitted():
            mapping = [
                value if value in service.FIELDS else ""
                for value in (request.form.get(f"column-{i}", "") for i in range(len(header)))
            ]
        records = service.records_from_table(content, mapping)
        first_row = 2
        samples = [[row[i] for row in content.rows[:3]] for i in range(len(header))]
    else:
        records = service.records_from_vcards(content)
        first_row = 1
        samples = []
    result = None
    if form.validate_on_submit():
        import_plan = service.ImportPlan(
            file_name=upload.file_name,
            file_format=upload.file_format,
            records=records,
            on_match=service.OnMatch(form.on_match.data)
            if form.on_match.data in service.OnMatch.__members__.values()
            else service.OnMatch.SKIP,
            all_or_nothing=bool(form.all_or_nothing.data),
            column_set=service.column_set(header) if header else "",
            first_row=first_row,
        )
        commit = request.form.get("action") == "import"
        try:
            result = service.run_import(
                import_plan, current_user, current_app.config["DEFAULT_PHONE_REGION"], commit=commit
            )
        except ValidationError as error:
            db.session.rollback()
            flash(" ".join(error.errors.values()), "error")
        else:
            if result.batch is not None:
                db.session.commit()
                uploads.discard(_folder(), token)
                flash(
                    _(
                        "Imported: %(created)d new, %(updated)d updated, %(skipped)d skipped.",
                        created=result.batch.created_count,
                        updated=result.batch.updated_count,
                        skipped=result.batch.skipped_count,
                    ),
                    "success",
                )
                return redirect(url_for(".show", batch_id=result.batch.id))
            db.session.rollback()
            if commit:
                flash(_("Nothing was imported: correct the rows marked below."), "error")
    return render_template(
        "imports/plan.html",
        upload=upload,
        form=form,
        header=header,
        mapping=mapping,
        samples=samples,
        fields=service.FIELDS,
        row_count=len(records),
        result=result,
    )


@bp.get("/<int:batch_id>")
@editor_required
def show(batch_id: int) -> str:
    batch = service.get_import(batch_id, current_user)
    return render_template(
        "imports/show.html",
        batch=batch,
        can_undo=service.can_undo(batch),
        action_form=FlaskForm(),
    )


@bp.post("/<int:batch_id>/undo")
@editor_required
def undo(batch_id: int) -> Response:
    batch = service.get_import(batch_id, current_user)
    if FlaskForm().validate_on_submit():
        try:
            service.undo_import(batch, current_user)
        except ValidationError as error:
            db.session.rollback()
            flash(" ".join(error.errors.values()), "error")
        else:
            db.session.commit()
            flash(_("The import was undone."), "success")
    return redirect(url_for(".show", batch_id=batch.id))
