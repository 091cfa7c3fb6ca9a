from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, RadioField, SelectField

from crm.form_helpers import AppForm
from crm.services.imports import OnMatch


class UploadForm(AppForm):
    upload = FileField(
        _l("File"),
        validators=[FileRequired(message=_l("Choose a .csv or .vcf file."))],
        description=_l(
            "A CSV with a header row (this app's own, Google Contacts' or Outlook's columns, "
            "or your own) or a vCard file."
        ),
    )
    encoding = SelectField(_l("Text encoding (CSV)"), default="utf-8")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.encoding.choices = [
            ("utf-8", _l("UTF-8 (Google, Excel “CSV UTF-8”, this app)")),
            ("cp1252", _l("Windows-1252 (older Excel and Outlook exports)")),
        ]


class PlanForm(AppForm):
    on_match = RadioField(
        _l("People already in the contacts"), default=OnMatch.SKIP.value, validate_choice=False
    )
    all_or_nothing = BooleanField(
        _l("All or nothing: import nothing if any row has an error"), default=True
    )

    def set_choices(self) -> None:
        self.on_match.choices = [(o.value, o.label) for o in OnMatch]
