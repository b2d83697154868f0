"""Uploads kept between a preview and its confirmation (imports, issue 17): nothing is written to the
registry until the user confirms, and what is confirmed is exactly the file they previewed.

The file is kept under MEDIA_ROOT/staged/ by a random name; the page carries a signed token naming
it and the user, so no one else can confirm it and no other file can be named. Files older than a
day are removed when the next one is staged.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path

from django.conf import settings
from django.core import signing

SALT = "core.staged_uploads"
MAX_AGE = 24 * 3600
MAX_BYTES = 20 * 1024 * 1024


class StagedUploadError(ValueError):
    pass


def _folder() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "staged"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _sweep(folder: Path) -> None:
    cutoff = time.time() - MAX_AGE
    for path in folder.iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def stage(*, user, name: str, content: bytes) -> str:
    """Keep `content` for `user`; the token to confirm it with."""
    if len(content) > MAX_BYTES:
        raise StagedUploadError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    folder = _folder()
    _sweep(folder)
    key = secrets.token_hex(16)
    (folder / key).write_bytes(content)
    return signing.dumps({"user": user.pk, "key": key, "name": name[:200]}, salt=SALT)


def load(*, user, token: str) -> tuple[str, bytes]:
    """The staged file's name and content, if the token is valid and the user's."""
    try:
        data = signing.loads(token or "", salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        raise StagedUploadError("The preview has expired: upload the file again.") from None
    if data.get("user") != user.pk:
        raise StagedUploadError("This preview is someone else's: upload the file again.")
    path = _folder() / data["key"]
    if not path.is_file():
        raise StagedUploadError("The preview has expired: upload the file again.")
    return data["name"], path.read_bytes()


def discard(*, token: str) -> None:
    try:
        data = signing.loads(token or "", salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return
    (_folder() / data["key"]).unlink(missing_ok=True)
