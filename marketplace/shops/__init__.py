"""The shop area (blueprint `vendor`): a shopkeeper's own shop, and the city's review of shops.

Services, one module per concern, each owning its transaction:
  profile.py          the caller's shop and its editable profile (get_own_vendor)
  products.py         products, photo, stock adjustments and movements, low stock
  imports.py          CSV product import and its template
  orders.py           the shop's orders, read side for the /shop pages
  reports.py          sales report (and CSV), today's sales, the dashboard
  business_class.py   PP 7/2021 business class: declarations with evidence and their review,
                      the admin override, flags from platform sales (never a class change)
  uploads.py          uploaded files: size limit, type by the bytes, random names
  applications.py     shop applications, and the admin's list, verify and suspend
  flag_reviews.py     PDN/TKDN, local and VAT-exempt claims and the city's review of them
rules.py holds the pure rules; routes.py (with application_routes.py, flag_review_routes.py and
business_class_routes.py) the API and pages.
"""

from flask import Blueprint

bp = Blueprint("vendor", __name__)
