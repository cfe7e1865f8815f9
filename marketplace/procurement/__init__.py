"""Government offices buying through Peken (blueprint `procurement`): who holds which
procurement role in which OPD, the office's cart, purchase requests and their approval, at which
orders on invoice are placed with each shop (channel `opd_procurement`); the taxes on them
(`tax_rules`, `tax_tables`)."""

from flask import Blueprint

bp = Blueprint("procurement", __name__)
