"""Uploaded files kept between the steps of an import (mapping, preview, commit).

Each upload lives in the instance folder under a random name, readable only by the user who
sent it, and is removed once the import is committed or after a day.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from crm.services.errors import RecordNotFound

MAX_AGE_SECONDS = 24 * 60 * 60
_TOKEN = re.compile(r"[A-Za-z0-9_-]{22}")


@dataclass(frozen=True)
class Upload:
    token: str
    user_id: int
    file_name: str
    file_format: str  # "csv" or "vcard"
    encoding: str = "utf-8"


def _paths(folder: Path, token: str) -> tuple[Path, Path]:
    return folder / f"{token}.data", folder / f"{token}.json"


def store(
    folder: Path, data: bytes, user_id: int, file_name: str, file_format: str, encoding: str
) -> Upload:
    folder.mkdir(parents=True, exist_ok=True)
    _forget_old(folder)
    upload = Upload(secrets.token_urlsafe(16), user_id, file_name, file_format, encoding)
    data_path, meta_path = _paths(folder, upload.token)
    data_path.write_bytes(data)
    data_path.chmod(0o600)
    meta_path.write_text(json.dumps(asdict(upload)))
    return upload


def load(folder: Path, token: str, user_id: int) -> tuple[Upload, bytes]:
    """An upload of this user's; anyone else's, or one that is gone, is "not found"."""
    if not _TOKEN.fullmatch(token or ""):
        raise RecordNotFound()
    data_path, meta_path = _paths(folder, token)
    try:
        upload = Upload(**json.loads(meta_path.read_text()))
        data = data_path.read_bytes()
    except (OSError, ValueError, TypeError) as error:
        raise RecordNotFound() from error
    if upload.user_id != user_id:
        raise RecordNotFound()
    return upload, data


def discard(folder: Path, token: str) -> None:
    if _TOKEN.fullmatch(token or ""):
        for path in _paths(folder, token):
            path.unlink(missing_ok=True)


def _forget_old(folder: Path) -> None:
    cutoff = time.time() - MAX_AGE_SECONDS
    for path in folder.glob("*.*"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
