"""The city's areas (blueprint `areas`): every kelurahan/desa and kecamatan by its Kemendagri code,
the loader (`import-areas`), the one rule that turns what a person typed into an area, and the
references the area-code migration could not settle, for an admin to settle."""

from flask import Blueprint

bp = Blueprint("areas", __name__)
