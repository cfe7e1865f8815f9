"""Errors that name the vendor area's conditions."""

from marketplace.errors import Conflict, NotFound


class InsufficientStock(Conflict):
    """A stock adjustment would leave the product below zero."""

    code, message = "insufficient_stock", "Stok tidak cukup untuk pengurangan ini."


class SkuTaken(Conflict):
    code, message = "sku_taken", "SKU ini sudah dipakai produk lain di toko Anda."


class ShopNotFound(NotFound):
    """A vendor user without a shop row (or one whose shop was removed)."""

    message = "Toko tidak ditemukan."


class DeclarationPending(Conflict):
    """A shop sends a business-class declaration while its previous one waits for review."""

    code, message = "declaration_pending", "Pernyataan sebelumnya masih menunggu pemeriksaan."
