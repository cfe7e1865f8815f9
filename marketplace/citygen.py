"""`flask generate-city`: a city-sized, valid dataset built fast for benchmarks (issue 14).

Rows go in through SQLAlchemy Core `insert()` with executemany in batches and ids assigned here
(PostgreSQL's sequences are moved past them at the end), never ORM objects one by one. What is
written mirrors the real rules: a paid order books the journal `mark_checkout_paid` books
(provider cash against the shop's pending payable and the platform's commission), a completed
order moves the shop's share from pending to available as `lifecycle._complete` does, each paid
line is one spending record frozen with the shop's class and area, and every stock change is a
stock movement so the history adds up to the product's stock.

Deterministic for a seed: the same seed on an empty database gives the same rows.
Not generated yet (first slice): refunds, payouts, carts, notifications.
"""

from __future__ import annotations

import hashlib
import random
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import bindparam, func, insert, select, text, update
from werkzeug.security import generate_password_hash

from marketplace.accounts.models import Opd, User
from marketplace.areas.models import Area, Kecamatan
from marketplace.catalog.models import Category, Product
from marketplace.extensions import db
from marketplace.ledger.models import (
    PLATFORM_COMMISSION,
    PROVIDER_CASH,
    VENDOR_AVAILABLE,
    VENDOR_PENDING,
    JournalEntry,
    LedgerLine,
    SpendingRecord,
)
from marketplace.ordering.models import Checkout, Order, OrderEvent, OrderLine
from marketplace.ordering.rules import commission_for, order_number
from marketplace.payments.models import Payment
from marketplace.shops.models import StockMovement, Vendor
from marketplace.timeutil import now_utc, period_of, year_of

BATCH = 5000
PASSWORD = "peken-demo-2026"  # the demo's password, so benchmarks can sign in as anyone

# Small word lists kept as data: (category slug, category name, [(product, unit, low, high)]).
CATEGORY_WORDS: list[tuple[str, str, list[tuple[str, str, int, int]]]] = [
    (
        "sembako",
        "Sembako",
        [
            ("Beras Premium", "5 kg", 62000, 80000),
            ("Beras Medium", "5 kg", 55000, 68000),
            ("Minyak Goreng", "liter", 15000, 21000),
            ("Gula Pasir", "kg", 15000, 18500),
            ("Telur Ayam", "kg", 26000, 32000),
            ("Tepung Terigu", "kg", 11000, 14500),
            ("Gula Merah", "kg", 18000, 26000),
            ("Kedelai", "kg", 11000, 15000),
        ],
    ),
    (
        "bumbu-dapur",
        "Bumbu Dapur",
        [
            ("Bawang Merah", "kg", 28000, 45000),
            ("Bawang Putih", "kg", 30000, 42000),
            ("Cabai Rawit", "kg", 35000, 80000),
            ("Kecap Manis", "botol", 9000, 24000),
            ("Sambal Bajak", "botol", 15000, 30000),
            ("Petis Udang", "botol", 18000, 35000),
            ("Terasi", "bungkus", 5000, 12000),
            ("Garam Beryodium", "bungkus", 3000, 6000),
        ],
    ),
    (
        "makanan-ringan",
        "Makanan Ringan",
        [
            ("Kerupuk Udang", "bungkus", 12000, 30000),
            ("Keripik Tempe", "bungkus", 8000, 20000),
            ("Rengginang", "bungkus", 10000, 25000),
            ("Kue Lapis", "kotak", 20000, 45000),
            ("Almond Crispy", "kotak", 35000, 75000),
            ("Rempeyek Kacang", "bungkus", 10000, 22000),
        ],
    ),
    (
        "minuman",
        "Minuman",
        [
            ("Kopi Bubuk", "bungkus", 12000, 45000),
            ("Teh Melati", "kotak", 6000, 15000),
            ("Jamu Beras Kencur", "botol", 8000, 15000),
            ("Sirup Markisa", "botol", 18000, 35000),
            ("Wedang Uwuh", "bungkus", 10000, 20000),
        ],
    ),
    (
        "kerajinan",
        "Kerajinan",
        [
            ("Batik Tulis", "lembar", 150000, 650000),
            ("Tas Anyaman", "buah", 65000, 180000),
            ("Kain Tenun", "lembar", 120000, 450000),
            ("Sandal Kulit", "pasang", 60000, 150000),
        ],
    ),
    (
        "alat-tulis-kantor",
        "Alat Tulis Kantor",
        [
            ("Kertas HVS A4", "rim", 45000, 62000),
            ("Map Plastik", "lusin", 15000, 30000),
            ("Pulpen Gel", "lusin", 24000, 48000),
            ("Stopmap Folio", "pak", 20000, 38000),
        ],
    ),
]
VARIANTS = [
    "Asli",
    "Super",
    "Spesial",
    "Pilihan",
    "Khas Surabaya",
    "Organik",
    "Premium",
    "Ekonomis",
    "Rumahan",
    "Tradisional",
    "Pedas",
    "Original",
    "Madura",
    "Lamongan",
]
SHOP_PREFIX = ["Toko", "Warung", "UD", "Kios", "Dapur", "Rumah Kue", "Kedai", "Griya", "CV"]
SHOP_WORDS = [
    "Barokah",
    "Sumber Rejeki",
    "Makmur Jaya",
    "Sari Rasa",
    "Berkah",
    "Sejahtera",
    "Mulya",
    "Lancar",
    "Sentosa",
    "Mekar Sari",
    "Karya Mandiri",
    "Bu Sri",
    "Pak Harjo",
    "Cak Ndut",
    "Arjuna",
    "Kenjeran",
    "Suroboyo",
    "Rahayu",
    "Tunjungan",
    "Rejo",
]
FIRST_NAMES = [
    "Agus",
    "Budi",
    "Siti",
    "Sri",
    "Dewi",
    "Eko",
    "Rina",
    "Wahyu",
    "Nur",
    "Yuli",
    "Bambang",
    "Endang",
    "Dwi",
    "Tri",
    "Andi",
    "Rudi",
    "Lilik",
    "Hadi",
    "Ratna",
    "Fitri",
    "Joko",
    "Indah",
    "Slamet",
    "Wati",
    "Yanto",
    "Ayu",
    "Fajar",
    "Putri",
]
LAST_NAMES = [
    "Santoso",
    "Wijaya",
    "Rahayu",
    "Susanto",
    "Lestari",
    "Hidayat",
    "Kurniawan",
    "Setiawan",
    "Purnomo",
    "Handayani",
    "Prasetyo",
    "Wibowo",
    "Suharto",
    "Utami",
    "Nugroho",
    "Saputra",
    "Maulana",
    "Anggraini",
    "Firmansyah",
    "Hartono",
]
OFFICE_NAMES = [
    "Dinas Pendidikan",
    "Dinas Kesehatan",
    "Dinas Perhubungan",
    "Dinas Sosial",
    "Dinas Koperasi dan Usaha Mikro",
    "Dinas Perdagangan",
    "Dinas Lingkungan Hidup",
    "Dinas Pekerjaan Umum",
    "Dinas Kependudukan dan Pencatatan Sipil",
    "Dinas Komunikasi dan Informatika",
    "Dinas Ketahanan Pangan dan Pertanian",
    "Dinas Kebudayaan dan Pariwisata",
    "Dinas Pemadam Kebakaran",
    "Bappeda",
    "Badan Kepegawaian dan Pengembangan SDM",
    "Badan Pendapatan Daerah",
    "Badan Pengelolaan Keuangan dan Aset Daerah",
    "Inspektorat",
    "Satpol PP",
    "Sekretariat Daerah",
    "Sekretariat DPRD",
    "RSUD Dr. Mohamad Soewandhie",
]
STREETS = [
    "Jl. Raya Darmo",
    "Jl. Ngagel",
    "Jl. Kertajaya",
    "Jl. Rungkut Industri",
    "Jl. Ahmad Yani",
    "Jl. Mayjen Sungkono",
    "Jl. Pasar Kembang",
    "Jl. Kenjeran",
    "Jl. Manyar",
    "Jl. Wonokromo",
    "Jl. Kedung Doro",
    "Jl. Gubeng",
    "Jl. Ketintang",
]
VENDOR_TYPES = ["kelontong", "umkm", "umkm", "food_centre", "koperasi"]


class CityNotEmpty(Exception):
    """The database already has orders; the generator only adds to it with --force."""


class CityInvariantBroken(Exception):
    """The generated data broke an invariant (a bug in the generator)."""


@dataclass
class Sizes:
    civil_servants: int = 13000
    offices: int = 60
    shops: int = 4000
    products: int = 100000
    order_lines: int = 1000000
    months: int = 12
    seed: int = 1


@dataclass
class Summary:
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    total_seconds: float = 0.0


Echo = Callable[[str], None]


def _batched(rows: Iterator[dict] | list[dict], size: int = BATCH) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class _Writer:
    """Buffers rows per table and flushes them with one executemany per batch."""

    def __init__(self) -> None:
        self.buffers: dict = {}
        self.counts: dict[str, int] = {}

    def add(self, model, row: dict) -> None:
        self.buffers.setdefault(model, []).append(row)

    def maybe_flush(self) -> None:
        """When any buffer is full, flush all of them, parents before children."""
        if any(len(rows) >= BATCH for rows in self.buffers.values()):
            self.flush()

    def flush(self, model=None) -> None:
        for m in [model] if model is not None else [m for m in FK_ORDER if m in self.buffers]:
            rows = self.buffers.get(m)
            if rows:
                db.session.execute(insert(m), rows)
                self.counts[m.__tablename__] = self.counts.get(m.__tablename__, 0) + len(rows)
                self.buffers[m] = []


FK_ORDER = (
    Opd,
    User,
    Vendor,
    Product,
    Checkout,
    Order,
    OrderEvent,
    Payment,
    OrderLine,
    StockMovement,
    SpendingRecord,
    JournalEntry,
    LedgerLine,
)


def _next_id(model) -> int:
    return int(db.session.scalar(select(func.coalesce(func.max(model.id), 0)))) + 1


def make_nip(rng: random.Random, seq: int) -> str:
    """NIP: birth date (YYYYMMDD), TMT CPNS (YYYYMM), sex (1/2), sequence (3 digits): 18 digits."""
    birth = datetime(1965, 1, 1) + timedelta(days=rng.randrange(0, 365 * 34))
    tmt_year = min(birth.year + rng.randint(22, 30), 2024)
    return (
        f"{birth:%Y%m%d}{tmt_year:04d}{rng.randint(1, 12):02d}{rng.randint(1, 2)}"
        f"{seq % 999 + 1:03d}"
    )


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def generate_city(
    sizes: Sizes,
    *,
    force: bool = False,
    echo: Echo = print,
    progress: Callable[[str, int], None] | None = None,
) -> Summary:
    """Build the city. Refuses a database with orders unless `force` (it only ever adds rows).

    `progress(label, done)` is called after each batch of order lines when given."""
    started = time.perf_counter()
    summary = Summary()
    if not force and db.session.scalar(select(func.count()).select_from(Order)):
        raise CityNotEmpty(
            "Basis data sudah berisi pesanan; generate-city hanya menambah data dengan --force."
        )
    areas = db.session.execute(
        select(Area.code, Area.name, Kecamatan.name)
        .join(Kecamatan, Kecamatan.code == Area.kecamatan_code)
        .order_by(Area.code)
    ).all()
    if not areas:
        raise CityNotEmpty("Belum ada kelurahan: jalankan `flask import-areas` dulu.")
    rng = random.Random(sizes.seed)
    writer = _Writer()
    now = now_utc().replace(microsecond=0)
    start = now - timedelta(days=30 * sizes.months)

    def lap(name: str, since: float) -> float:
        summary.timings[name] = round(time.perf_counter() - since, 2)
        echo(f"{name}: {summary.timings[name]} s")
        return time.perf_counter()

    t = time.perf_counter()
    # Categories: the demo's slugs, added when missing.
    cat_ids: dict[str, int] = dict(db.session.execute(select(Category.slug, Category.id)).all())
    for slug, name, _words in CATEGORY_WORDS:
        if slug not in cat_ids:
            db.session.execute(insert(Category), [{"slug": slug, "name": name}])
    cat_ids = dict(db.session.execute(select(Category.slug, Category.id)).all())

    # Offices.
    opd_id = _next_id(Opd)
    kecamatan_names = sorted({a[2] for a in areas})
    names = OFFICE_NAMES + [f"Kecamatan {k}" for k in kecamatan_names]
    opd_ids = []
    for i in range(sizes.offices):
        name = names[i] if i < len(names) else f"UPTD Puskesmas {areas[i % len(areas)][1]} {i}"
        writer.add(Opd, {"id": opd_id, "code": f"GEN{sizes.seed}-{opd_id:04d}", "name": name})
        opd_ids.append(opd_id)
        opd_id += 1
    writer.flush()

    # People: civil servants in offices, public buyers, shop owners.
    password_hash = generate_password_hash(PASSWORD)
    user_id = _next_id(User)
    taken_nips = set(db.session.scalars(select(User.nip).where(User.nip.is_not(None))).all())
    asn: list[tuple[int, int]] = []  # (user id, opd id)
    for i in range(sizes.civil_servants):
        nip = make_nip(rng, i)
        while nip in taken_nips:
            nip = make_nip(rng, i)
        taken_nips.add(nip)
        area = rng.choice(areas)
        office = opd_ids[i % len(opd_ids)] if opd_ids else None
        writer.add(
            User,
            {
                "id": user_id,
                "email": f"asn{user_id}@kota.peken.test",
                "password_hash": password_hash,
                "name": _person(rng),
                "role": "civil_servant",
                "nip": nip,
                "opd_id": office,
                "area_code": area[0],
                "kelurahan": area[1],
                "created_at": start,
            },
        )
        asn.append((user_id, office))
        user_id += 1
    public: list[int] = []
    for _ in range(max(1, sizes.civil_servants // 5)):
        area = rng.choice(areas)
        writer.add(
            User,
            {
                "id": user_id,
                "email": f"warga{user_id}@kota.peken.test",
                "password_hash": password_hash,
                "name": _person(rng),
                "role": "public",
                "area_code": area[0],
                "kelurahan": area[1],
                "created_at": start,
            },
        )
        public.append(user_id)
        user_id += 1

    # Shops: verified, each with its owner, spread over every loaded kelurahan in turn.
    vendor_id = _next_id(Vendor)
    vendors: list[dict] = []
    nib_base = 9100000000000 + sizes.seed * 1000000 + vendor_id
    for i in range(sizes.shops):
        area = areas[i % len(areas)]
        writer.add(
            User,
            {
                "id": user_id,
                "email": f"toko{user_id}@kota.peken.test",
                "password_hash": password_hash,
                "name": _person(rng),
                "role": "vendor",
                "area_code": area[0],
                "kelurahan": area[1],
                "created_at": start,
            },
        )
        vendor = {
            "id": vendor_id,
            "owner_id": user_id,
            "name": f"{rng.choice(SHOP_PREFIX)} {rng.choice(SHOP_WORDS)} {area[1]}",
            "type": rng.choice(VENDOR_TYPES),
            "status": "verified",
            "nib": f"{(nib_base + i) % 10**13:013d}",
            "area_code": area[0],
            "kelurahan": area[1],
            "kecamatan": area[2],
            "address": f"{rng.choice(STREETS)} No. {rng.randint(1, 250)}, {area[1]}",
            "made_in_city": True,
            "umk_class": "micro",
            "created_at": start,
            "verified_at": start,
            "bank_name": "Bank Jatim",
            "bank_account_number": f"{rng.randrange(10**9, 10**10)}",
        }
        vendor["bank_account_name"] = vendor["name"]
        if vendor["type"] == "koperasi":  # a koperasi is a legal entity (AHU number)
            vendor["legal_entity_number"] = (
                f"AHU-{vendor_id % 10**7:07d}.AH.01.26.TAHUN {rng.randint(2019, 2025)}"
            )
        writer.add(Vendor, vendor)
        writer.maybe_flush()
        vendors.append(vendor)
        vendor_id += 1
        user_id += 1
    writer.flush()
    t = lap("people, offices and shops", t)

    # Products with their opening stock (one `initial` movement each).
    product_id = _next_id(Product)
    products: list[list] = []  # [id, vendor index, name, unit, price, stock, local, pdn]
    by_vendor: list[list[int]] = [[] for _ in vendors]
    for i in range(sizes.products):
        vi = i % len(vendors) if i < len(vendors) else rng.randrange(len(vendors))
        slug, _cat, words = rng.choice(CATEGORY_WORDS)
        base, unit, low, high = rng.choice(words)
        name = f"{base} {rng.choice(VARIANTS)} {rng.choice(SHOP_WORDS)}"
        price = rng.randrange(low, high + 1, 500)
        stock = rng.randint(200, 3000)
        local, pdn = rng.random() < 0.7, rng.random() < 0.9
        writer.add(
            Product,
            {
                "id": product_id,
                "vendor_id": vendors[vi]["id"],
                "category_id": cat_ids[slug],
                "sku": f"G{sizes.seed}-{product_id}",
                "name": name,
                "unit": unit,
                "price": price,
                "stock": stock,
                "is_local_product": local,
                "is_pdn": pdn,
                "claimed_local_product": local,
                "claimed_pdn": pdn,
                "created_at": start,
            },
        )
        writer.add(
            StockMovement,
            {
                "product_id": product_id,
                "delta": stock,
                "stock_after": stock,
                "kind": "initial",
                "note": "Stok awal (generate-city)",
                "created_at": start,
            },
        )
        writer.maybe_flush()
        by_vendor[vi].append(len(products))
        products.append([product_id, vi, name, unit, price, stock, local, pdn])
        product_id += 1
    writer.flush()
    t = lap("products", t)

    # A year of orders: one checkout and payment per order, 1-5 lines from one shop, in time
    # order so each stock movement's stock_after follows the one before.
    bps = int(current_app.config.get("PLATFORM_COMMISSION_BPS", 0))
    ids = {m: _next_id(m) for m in (Checkout, Order, OrderLine, Payment, JournalEntry)}
    span = (now - timedelta(hours=1) - start).total_seconds()
    lines_left = sizes.order_lines
    step = span / sizes.order_lines  # time goes forward with the lines written, evenly
    vendors_with_products = [i for i, p in enumerate(by_vendor) if p]
    done = misses = 0
    while lines_left > 0:
        created = start + timedelta(seconds=int((done + rng.random()) * step))
        paid_at = created + timedelta(minutes=rng.randint(1, 20))
        vi = rng.choice(vendors_with_products)
        vendor = vendors[vi]
        n = min(lines_left, rng.randint(1, 5))
        picks = rng.sample(by_vendor[vi], min(n, len(by_vendor[vi])))
        picks = [p for p in picks if products[p][5] > 0]
        if not picks:
            misses += 1
            if misses > 10000:
                raise CityInvariantBroken("not enough stock left for the order lines asked")
            continue
        if rng.random() < 0.75:
            buyer, office = rng.choice(asn) if asn else (rng.choice(public), None)
            channel = "asn_personal" if asn else "public"
        else:
            buyer, office, channel = rng.choice(public), None, "public"
        oid, cid, pid = ids[Order], ids[Checkout], ids[Payment]
        lines = []
        for p in picks:
            prod = products[p]
            qty = min(prod[5], rng.choice((1, 1, 1, 2, 2, 3, 5)))
            prod[5] -= qty
            lid = ids[OrderLine]
            ids[OrderLine] += 1
            lines.append((lid, prod, qty, prod[4] * qty))
        total = sum(x[3] for x in lines)
        commission = commission_for(total, bps)
        completed = paid_at + timedelta(days=rng.randint(1, 4))
        is_done = completed < now - timedelta(days=1)
        accepted = paid_at + timedelta(minutes=rng.randint(5, 120))
        ready = accepted + (completed - accepted) / 2
        period = period_of(paid_at)
        writer.add(
            Checkout,
            {
                "id": cid,
                "buyer_id": buyer,
                "idempotency_key": f"gen-{sizes.seed}-{cid}",
                "request_hash": hashlib.sha256(f"gen-{cid}".encode()).hexdigest(),
                "total": total,
                "fulfilment": "pickup",
                "payment_method": "sandbox",
                "response_status": 201,
                "created_at": created,
            },
        )
        writer.add(
            Order,
            {
                "id": oid,
                "number": order_number(period_of(created), oid),
                "checkout_id": cid,
                "buyer_id": buyer,
                "vendor_id": vendor["id"],
                "channel": channel,
                "status": "completed" if is_done else "paid",
                "fulfilment": "pickup",
                "total": total,
                "vat_total": 0,
                "commission": commission,
                "created_at": created,
                "paid_at": paid_at,
                "accepted_at": accepted if is_done else None,
                "ready_at": ready if is_done else None,
                "completed_at": completed if is_done else None,
            },
        )
        # The status timeline Order.transition_to writes (the checkout writes the first step).
        steps = [
            (None, "pending_payment", created, buyer),
            ("pending_payment", "paid", paid_at, None),
        ]
        if is_done:
            steps += [
                ("paid", "accepted", accepted, vendor["owner_id"]),
                ("accepted", "ready", ready, vendor["owner_id"]),
                ("ready", "completed", completed, buyer),
            ]
        for before, after, at, actor in steps:
            writer.add(
                OrderEvent,
                {
                    "order_id": oid,
                    "from_status": before,
                    "to_status": after,
                    "actor_id": actor,
                    "created_at": at,
                },
            )
        writer.add(
            Payment,
            {
                "id": pid,
                "checkout_id": cid,
                "provider": "sandbox",
                "status": "succeeded",
                "amount": total,
                "provider_ref": f"sandbox_gen{sizes.seed}_{pid}",
                "created_at": created,
                "updated_at": paid_at,
            },
        )
        for lid, prod, qty, line_total in lines:
            writer.add(
                OrderLine,
                {
                    "id": lid,
                    "order_id": oid,
                    "product_id": prod[0],
                    "name": prod[2],
                    "unit": prod[3],
                    "quantity": qty,
                    "unit_price": prod[4],
                    "line_total": line_total,
                    "vat": 0,
                    "is_local_product": prod[6],
                    "is_pdn": prod[7],
                },
            )
            writer.add(
                StockMovement,
                {
                    "product_id": prod[0],
                    "delta": -qty,
                    "stock_after": prod[5],
                    "kind": "sale",
                    "order_id": oid,
                    "created_at": created,
                },
            )
            writer.add(
                SpendingRecord,
                {
                    "occurred_at": paid_at,
                    "period": period,
                    "year": year_of(paid_at),
                    "order_id": oid,
                    "order_line_id": lid,
                    "buyer_id": buyer,
                    "channel": channel,
                    "opd_id": office,
                    "vendor_id": vendor["id"],
                    "vendor_umk_class": "micro",
                    "vendor_type": vendor["type"],
                    "vendor_kelurahan": vendor["kelurahan"],
                    "vendor_area_code": vendor["area_code"],
                    "is_local_vendor": True,
                    "is_local_product": prod[6],
                    "is_pdn": prod[7],
                    "amount": line_total,
                    "created_at": paid_at,
                },
            )
        # The journal mark_checkout_paid books for a one-order checkout.
        jid = ids[JournalEntry]
        ids[JournalEntry] += 1
        writer.add(
            JournalEntry,
            {
                "id": jid,
                "kind": "payment",
                "memo": order_number(period_of(created), oid),
                "reference": f"sandbox_gen{sizes.seed}_{pid}",
                "payment_id": pid,
                "order_id": oid,
                "created_at": paid_at,
            },
        )
        share = total - commission
        for account, amount, vid in (
            (PROVIDER_CASH, total, None),
            (VENDOR_PENDING, -share, vendor["id"]),
            (PLATFORM_COMMISSION, -commission, None),
        ):
            if amount:
                writer.add(
                    LedgerLine,
                    {
                        "journal_id": jid,
                        "account": account,
                        "vendor_id": vid,
                        "amount": amount,
                    },
                )
        if is_done and share:  # lifecycle._complete: pending -> available for the shop
            writer.add(
                JournalEntry,
                {
                    "id": ids[JournalEntry],
                    "kind": "completion",
                    "memo": order_number(period_of(created), oid),
                    "order_id": oid,
                    "created_at": completed,
                },
            )
            for account, amount in ((VENDOR_PENDING, share), (VENDOR_AVAILABLE, -share)):
                writer.add(
                    LedgerLine,
                    {
                        "journal_id": ids[JournalEntry],
                        "account": account,
                        "vendor_id": vendor["id"],
                        "amount": amount,
                    },
                )
            ids[JournalEntry] += 1
        ids[Order] += 1
        ids[Checkout] += 1
        ids[Payment] += 1
        lines_left -= len(lines)
        done += len(lines)
        if progress and done % BATCH < len(lines):
            progress("order lines", done)
        writer.maybe_flush()
    writer.flush()
    if progress:
        progress("order lines", done)
    t = lap("orders, payments, spending and journals", t)

    # Products' stock after the year's sales.
    rows = [{"pid": p[0], "stock": p[5]} for p in products]
    stmt = (
        update(Product.__table__)
        .where(Product.__table__.c.id == bindparam("pid"))
        .values(stock=bindparam("stock"))
    )
    for batch in _batched(rows):
        db.session.execute(stmt, batch)
    _move_sequences()
    db.session.commit()
    t = lap("stock and sequences", t)

    check_invariants()
    lap("invariants", t)
    summary.counts = dict(writer.counts)
    summary.total_seconds = round(time.perf_counter() - started, 2)
    return summary


_SEQUENCED = (
    "opds",
    "users",
    "vendors",
    "products",
    "checkouts",
    "orders",
    "order_lines",
    "payments",
    "journal_entries",
)


def _move_sequences() -> None:
    """PostgreSQL: the ids given here must not be handed out again by the sequences."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in _SEQUENCED:
        db.session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
        )


def check_invariants() -> dict[str, int]:
    """The whole database (not only generated rows): every journal balances, the ledger sums to
    zero, and every product's stock history adds up to its stock. Raises CityInvariantBroken."""
    ledger_total = db.session.scalar(select(func.coalesce(func.sum(LedgerLine.amount), 0)))
    unbalanced = db.session.scalar(
        select(func.count()).select_from(
            select(LedgerLine.journal_id)
            .group_by(LedgerLine.journal_id)
            .having(func.sum(LedgerLine.amount) != 0)
            .subquery()
        )
    )
    history = (
        select(StockMovement.product_id, func.sum(StockMovement.delta).label("total"))
        .group_by(StockMovement.product_id)
        .subquery()
    )
    stock_off = db.session.scalar(
        select(func.count())
        .select_from(Product)
        .join(history, history.c.product_id == Product.id)
        .where(history.c.total != Product.stock)
    )
    last = (
        select(StockMovement.product_id, func.max(StockMovement.id).label("last_id"))
        .group_by(StockMovement.product_id)
        .subquery()
    )
    last_off = db.session.scalar(
        select(func.count())
        .select_from(Product)
        .join(last, last.c.product_id == Product.id)
        .join(StockMovement, StockMovement.id == last.c.last_id)
        .where(StockMovement.stock_after != Product.stock)
    )
    result = {
        "ledger_total": int(ledger_total),
        "unbalanced_journals": int(unbalanced),
        "products_stock_off": int(stock_off),
        "products_last_movement_off": int(last_off),
    }
    if any(result.values()):
        raise CityInvariantBroken(f"invariants broken: {result}")
    return result


@click.command("generate-city")
@click.option("--civil-servants", default=Sizes.civil_servants, show_default=True, type=int)
@click.option("--offices", default=Sizes.offices, show_default=True, type=int)
@click.option("--shops", default=Sizes.shops, show_default=True, type=int)
@click.option("--products", default=Sizes.products, show_default=True, type=int)
@click.option("--order-lines", default=Sizes.order_lines, show_default=True, type=int)
@click.option("--months", default=Sizes.months, show_default=True, type=int)
@click.option("--seed", default=Sizes.seed, show_default=True, type=int)
@click.option("--force", is_flag=True, help="Add to a database that already has orders.")
@with_appcontext
def generate_city_command(force: bool, **options: int) -> None:
    """Build a city-sized, valid dataset (ASN in offices, verified shops over the loaded
    kelurahan, products, a year of paid orders with spending records and journals) for the
    benchmarks. Needs `flask import-areas` first. Refuses a database with orders unless --force;
    it never deletes anything."""
    sizes = Sizes(**options)
    if min(options.values()) < 1:
        raise click.BadParameter("every size must be at least 1")
    with click.progressbar(length=sizes.order_lines, label="Baris pesanan", file=sys.stderr) as bar:
        seen = [0]

        def progress(_label: str, done: int) -> None:
            bar.update(done - seen[0])
            seen[0] = done

        try:
            summary = generate_city(sizes, force=force, echo=click.echo, progress=progress)
        except (CityNotEmpty, CityInvariantBroken) as err:
            db.session.rollback()
            click.echo(click.style(f"Error: {err}", fg="red"), err=True)
            raise SystemExit(1) from err
    click.echo("Kota selesai dibuat:")
    for table, count in sorted(summary.counts.items()):
        click.echo(f"  {table}: {count}")
    click.echo("Invarian: buku besar seimbang, riwayat stok cocok.")
    click.echo(f"Waktu total: {summary.total_seconds} s")
