"""Uploaded files of the shop area (product photos, evidence of a business-class declaration):
read at most a size limit, check the real type by the bytes, store under a random name."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

from flask_babel import gettext

from marketplace.errors import ValidationFailed

# Outside a request (CLI, jobs) the locale selector answers the default, Indonesian.
_ = gettext


def read_checked_upload(
    upload,
    field: str,
    *,
    max_bytes: int,
    sniff: Callable[[bytes], str | None],
    missing: str,
    too_big: tuple[str, str],
    wrong_type: tuple[str, str],
) -> tuple[bytes, str]:
    """The bytes of `upload` and its type as `sniff` reads it from the first bytes (never the
    file name or the browser's Content-Type). 422 on `field` when absent, larger than
    `max_bytes`, or of a type `sniff` refuses; `too_big` and `wrong_type` are (message, field
    message)."""
    if upload is None or not getattr(upload, "filename", None):
        raise ValidationFailed(missing, details={field: [_("Wajib diisi.")]})
    content = upload.stream.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise ValidationFailed(too_big[0], details={field: [too_big[1]]})
    kind = sniff(content[:16])
    if kind is None:
        raise ValidationFailed(wrong_type[0], details={field: [wrong_type[1]]})
    return content, kind


def store_upload(folder: str | Path, prefix: str, extension: str, content: bytes) -> Path:
    """Write `content` under a new random name in `folder` (created when missing)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{prefix}-{secrets.token_hex(12)}{extension}"
    path.write_bytes(content)
    return path
