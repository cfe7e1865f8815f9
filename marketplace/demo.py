"""Demo data: real Surabaya areas and OPDs, demo logins for every role, verified shops of each type
with sembako and UMKM products (SPEC §6).

`seed_demo()` is idempotent: rows are matched by natural keys (OPD code, kelurahan, category slug,
email, shop owner, product SKU) and rows that already exist are left as they are (stock, status and
passwords a demo user changed are kept). Areas that own demo rows of their own (the mandate rule)
are listed in `SEEDERS`; each runs after the core data, in order. The demo sits above every area
(see the import contracts), so it calls them; no area imports the demo.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from marketplace import primitives
from marketplace.accounts.models import Opd, User
from marketplace.areas.rules import Place, resolve
from marketplace.areas.services import city_places, import_areas
from marketplace.catalog.models import Category, Product
from marketplace.extensions import db
from marketplace.mandate.month_end import seed_mandate_readers
from marketplace.mandate.services import seed_mandate_rule
from marketplace.models_base import utcnow
from marketplace.procurement.roles import seed_office_roles
from marketplace.shops.models import StockMovement, Vendor

DEMO_PASSWORD = "peken-demo-2026"

# Each one must be idempotent and commit its own work.
SEEDERS: list[Callable[[], None]] = [seed_mandate_rule, seed_office_roles, seed_mandate_readers]

# The demo's kelurahan in Surabaya, by kecamatan. `seed_demo` loads every area of the configured
# city (PEKEN_CITY) with `areas.services.import_areas`; in Surabaya the demo rows sit in these
# kelurahan, in another city the n-th of them becomes the city's n-th kelurahan (`_demo_place`).
AREAS: dict[str, list[str]] = {
    "Gubeng": ["Airlangga", "Baratajaya", "Gubeng", "Kertajaya", "Mojo", "Pucang Sewu"],
    "Tegalsari": ["Dr. Soetomo", "Kedungdoro", "Keputran", "Tegalsari", "Wonorejo"],
    "Wonokromo": ["Darmo", "Jagir", "Ngagel", "Ngagelrejo", "Sawunggaling", "Wonokromo"],
    "Rungkut": ["Kalirungkut", "Kedung Baruk", "Medokan Ayu", "Penjaringan Sari", "Rungkut Kidul"],
    "Sukolilo": [
        "Gebang Putih",
        "Keputih",
        "Klampis Ngasem",
        "Medokan Semampir",
        "Menur Pumpungan",
        "Nginden Jangkungan",
        "Semolowaru",
    ],
    "Genteng": ["Embong Kaliasin", "Genteng", "Kapasari", "Ketabang", "Peneleh"],
}

OPDS: list[tuple[str, str]] = [
    ("DINKOPDAG", "Dinas Koperasi Usaha Kecil dan Menengah dan Perdagangan"),
    ("BKPSDM", "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia"),
    ("DINKES", "Dinas Kesehatan"),
    ("DISPENDIK", "Dinas Pendidikan"),
    ("DISKOMINFO", "Dinas Komunikasi dan Informatika"),
    ("BPKAD", "Badan Pengelolaan Keuangan dan Aset Daerah"),
    ("BAPPEDALITBANG", "Badan Perencanaan Pembangunan Daerah, Penelitian dan Pengembangan"),
    ("KEC-GUBENG", "Kecamatan Gubeng"),
    ("KEC-TEGALSARI", "Kecamatan Tegalsari"),
]

CATEGORIES: list[tuple[str, str, str]] = [
    ("sembako", "Sembako", "Staple foods"),
    ("bumbu-dapur", "Bumbu Dapur", "Spices and condiments"),
    ("makanan-ringan", "Makanan Ringan", "Snacks"),
    ("minuman", "Minuman", "Drinks"),
    ("kue-dan-roti", "Kue dan Roti", "Cakes and bread"),
    ("kerajinan", "Kerajinan", "Crafts"),
    ("fashion", "Fashion", "Fashion"),
    ("kuliner-siap-saji", "Kuliner Siap Saji", "Ready-to-eat food"),
    ("kebersihan-rumah", "Kebersihan Rumah", "Household cleaning"),
]

# NIP (18 digits): birth date YYYYMMDD, appointment YYYYMM, gender 1/2, sequence.
CIVIL_SERVANTS: list[tuple[str, str, str, str, str]] = [
    ("Ir. Bambang Sutrisno", "197403121998031005", "KEC-GUBENG", "Camat", "Airlangga"),
    ("Siti Nurhaliza, S.E.", "198007142005022003", "KEC-TEGALSARI", "Lurah", "Keputran"),
    ("Agus Prasetyo, S.Kom.", "198511202010011012", "DISKOMINFO", "Kepala Seksi", "Mojo"),
    ("Dewi Lestari", "199203052019032008", "DINKOPDAG", "Staf", "Ngagel"),
    ("dr. Rina Wulandari", "198309182009022004", "DINKES", "Kepala Seksi", "Darmo"),
    ("Hendra Gunawan, S.Pd.", "199001102015031006", "DISPENDIK", "Staf", "Kedung Baruk"),
    ("Rahmat Hidayat, S.H.", "197812252003121002", "BKPSDM", "Kepala Bidang", "Kertajaya"),
    ("Yuliana Putri", "199506222020122011", "BPKAD", "Staf", "Keputih"),
    ("Eko Wahyudi, S.T.", "198204162008011009", "KEC-TEGALSARI", "Sekretaris Camat", "Dr. Soetomo"),
    ("Lilik Suryani", "198812302014022005", "KEC-GUBENG", "Staf", "Pucang Sewu"),
    ("Moch. Arif Rahman", "198601072011011003", "BAPPEDALITBANG", "Kepala Seksi", "Ketabang"),
    ("Nur Aini", "199707152022032001", "DINKES", "Staf", "Penjaringan Sari"),
    # DINKES's spending treasurer and head of office (the office purchasing demo, `/opd`)
    ("Andi Kurniawan, S.E.", "198905112015031004", "DINKES", "Bendahara Pengeluaran", "Darmo"),
    ("drg. Sri Handayani, M.Kes.", "197602142002122003", "DINKES", "Kepala Dinas", "Jagir"),
]


@dataclass
class DemoVendor:
    owner_name: str
    name: str
    type: str
    status: str
    kelurahan: str
    nib: str
    address: str
    description: str
    pkp: bool = False
    npwp: str | None = None
    umk_class: str = "micro"
    status_reason: str | None = None
    phone: str | None = None
    legal_entity_number: str | None = None  # a koperasi's nomor badan hukum
    products: list[tuple] = field(default_factory=list)


# Product rows: (sku, name, category, unit, price, stock, description, flags). Flags are the shop's
# claims, approved by the demo admin at seeding; they override the claimed defaults: is_pdn True;
# is_local_product True for UMKM and food-centre goods (made in the city); vat_exempt False. Basic necessities (rice, eggs, sugar, salt, meat, vegetables) are exempt from
# PPN (PP 49/2022); cooking oil and flour are not.
EXEMPT = {"vat_exempt": True}

VENDORS: list[DemoVendor] = [
    DemoVendor(
        "Sri Wahyuni",
        "Toko Kelontong Bu Sri",
        "kelontong",
        "verified",
        "Airlangga",
        "9120001234501",
        "Jl. Airlangga No. 23, Surabaya",
        "Toko kelontong keluarga sejak 1998, sembako lengkap dan antar ke sekitar Gubeng.",
        phone="0812-3001-0001",
        products=[
            (
                "BS-BRS-5",
                "Beras Premium 5 kg",
                "sembako",
                "pack",
                75_000,
                40,
                "Beras putih pulen kemasan 5 kg, panen Jawa Timur.",
                EXEMPT,
            ),
            (
                "BS-MYK-2",
                "Minyak Goreng Sawit 2 liter",
                "sembako",
                "pack",
                38_000,
                30,
                "Minyak goreng kemasan pouch 2 liter.",
                {},
            ),
            (
                "BS-TLR-1",
                "Telur Ayam Ras 1 kg",
                "sembako",
                "kg",
                29_000,
                25,
                "Telur ayam ras segar, kurang lebih 16 butir per kg.",
                EXEMPT,
            ),
            (
                "BS-GLA-1",
                "Gula Pasir Putih 1 kg",
                "sembako",
                "kg",
                18_000,
                35,
                "Gula kristal putih lokal.",
                EXEMPT,
            ),
            (
                "BS-TPG-1",
                "Tepung Terigu Protein Sedang 1 kg",
                "sembako",
                "kg",
                13_000,
                20,
                "Untuk gorengan, kue dan roti.",
                {},
            ),
            (
                "BS-GRM-1",
                "Garam Beryodium 250 g",
                "bumbu-dapur",
                "pack",
                4_000,
                50,
                "Garam dapur halus beryodium.",
                EXEMPT,
            ),
            (
                "BS-KCP-1",
                "Kecap Manis 520 ml",
                "bumbu-dapur",
                "botol",
                24_000,
                18,
                "Kecap manis kedelai hitam.",
                {},
            ),
            (
                "BS-MIE-1",
                "Mi Instan Goreng (1 dus isi 40)",
                "sembako",
                "pack",
                125_000,
                8,
                "Satu dus mi instan goreng.",
                {},
            ),
            (
                "BS-SBN-1",
                "Sabun Cuci Piring 780 ml",
                "kebersihan-rumah",
                "pack",
                16_000,
                20,
                "Sabun cuci piring jeruk nipis, isi ulang.",
                {},
            ),
            (
                "BS-DTG-1",
                "Deterjen Bubuk 1,8 kg",
                "kebersihan-rumah",
                "pack",
                42_000,
                12,
                "Deterjen bubuk untuk mesin dan tangan.",
                {},
            ),
            (
                "BS-AIR-1",
                "Air Mineral 600 ml (1 dus isi 24)",
                "minuman",
                "pack",
                52_000,
                10,
                "Air mineral kemasan botol.",
                {},
            ),
        ],
    ),
    DemoVendor(
        "Slamet Riyadi",
        "Toko Barokah Jaya",
        "kelontong",
        "verified",
        "Keputran",
        "9120001234502",
        "Jl. Keputran Pasar Kecil No. 8, Surabaya",
        "Dekat Pasar Keputran: sayur, bumbu dapur dan tempe tahu segar setiap pagi.",
        products=[
            (
                "BJ-BRS-5",
                "Beras Medium 5 kg",
                "sembako",
                "pack",
                65_000,
                30,
                "Beras medium kemasan 5 kg.",
                EXEMPT,
            ),
            (
                "BJ-BRS-10",
                "Beras Premium 10 kg",
                "sembako",
                "pack",
                148_000,
                12,
                "Beras premium kemasan karung 10 kg.",
                EXEMPT,
            ),
            (
                "BJ-MYK-1",
                "Minyak Goreng 1 liter",
                "sembako",
                "liter",
                19_500,
                40,
                "Minyak goreng kemasan botol 1 liter.",
                {},
            ),
            (
                "BJ-TLR-10",
                "Telur Ayam Kampung (isi 10)",
                "sembako",
                "pack",
                28_000,
                15,
                "Telur ayam kampung dari peternak Lamongan.",
                EXEMPT,
            ),
            (
                "BJ-TMP-1",
                "Tempe Kedelai Papan",
                "sembako",
                "pcs",
                6_000,
                25,
                "Tempe buatan perajin Tenggilis, dibuat setiap pagi.",
                {"is_local_product": True},
            ),
            (
                "BJ-TAH-1",
                "Tahu Putih (isi 10)",
                "sembako",
                "pack",
                10_000,
                20,
                "Tahu putih segar dari perajin tahu Surabaya.",
                {"is_local_product": True},
            ),
            (
                "BJ-BWM-1",
                "Bawang Merah 1 kg",
                "bumbu-dapur",
                "kg",
                42_000,
                15,
                "Bawang merah Probolinggo.",
                EXEMPT,
            ),
            (
                "BJ-BWP-1",
                "Bawang Putih Kating 1 kg (impor)",
                "bumbu-dapur",
                "kg",
                38_000,
                15,
                "Bawang putih kating impor.",
                {"vat_exempt": True, "is_pdn": False},
            ),
            (
                "BJ-CBE-1",
                "Cabai Rawit Merah 250 g",
                "bumbu-dapur",
                "pack",
                15_000,
                20,
                "Cabai rawit merah segar.",
                EXEMPT,
            ),
            (
                "BJ-TEH-1",
                "Teh Celup Melati (isi 25)",
                "minuman",
                "pack",
                7_500,
                30,
                "Teh melati wangi.",
                {},
            ),
            (
                "BJ-KPI-1",
                "Kopi Bubuk Robusta 200 g",
                "minuman",
                "pack",
                18_000,
                20,
                "Kopi robusta Dampit, digiling halus.",
                {},
            ),
        ],
    ),
    DemoVendor(
        "Handoko Wijaya",
        "Toko Sumber Rejeki",
        "kelontong",
        "verified",
        "Ngagel",
        "9120001234503",
        "Jl. Ngagel Jaya Selatan No. 41, Surabaya",
        "Toko grosir dan eceran, Pengusaha Kena Pajak (harga sudah termasuk PPN).",
        pkp=True,
        npwp="01.234.567.8-614.000",
        umk_class="small",
        products=[
            (
                "SR-BRS-5",
                "Beras Pandan Wangi 5 kg",
                "sembako",
                "pack",
                82_000,
                25,
                "Beras pandan wangi, harum dan pulen.",
                EXEMPT,
            ),
            (
                "SR-MYK-2",
                "Minyak Goreng Premium 2 liter",
                "sembako",
                "pack",
                41_000,
                20,
                "Minyak goreng dua kali penyaringan.",
                {},
            ),
            (
                "SR-SUS-1",
                "Susu UHT Full Cream 1 liter",
                "minuman",
                "liter",
                19_000,
                24,
                "Susu UHT tanpa pengawet.",
                {},
            ),
            (
                "SR-GLA-2",
                "Gula Pasir 2 kg",
                "sembako",
                "pack",
                35_000,
                20,
                "Gula pasir putih kemasan 2 kg.",
                EXEMPT,
            ),
            (
                "SR-DGN-1",
                "Daging Sapi Segar 500 g",
                "sembako",
                "pack",
                65_000,
                10,
                "Daging sapi has dalam, potong segar.",
                EXEMPT,
            ),
            (
                "SR-AYM-1",
                "Ayam Potong Utuh 1 kg",
                "sembako",
                "kg",
                38_000,
                12,
                "Ayam broiler potong bersih.",
                EXEMPT,
            ),
            (
                "SR-KRM-1",
                "Kurma Medjool 500 g (impor)",
                "makanan-ringan",
                "pack",
                95_000,
                8,
                "Kurma medjool impor, cocok untuk hantaran.",
                {"is_pdn": False},
            ),
            (
                "SR-PEL-1",
                "Pembersih Lantai 800 ml",
                "kebersihan-rumah",
                "pack",
                14_500,
                18,
                "Pembersih lantai aroma sereh.",
                {},
            ),
            (
                "SR-TIS-1",
                "Tisu Wajah 250 lembar",
                "kebersihan-rumah",
                "pack",
                12_000,
                30,
                "Tisu wajah dua lapis.",
                {},
            ),
        ],
    ),
    DemoVendor(
        "Ratna Sari",
        "Sambal Bu Ratna Suroboyo",
        "umkm",
        "verified",
        "Kedung Baruk",
        "9120001234504",
        "Jl. Kedung Baruk No. 17, Surabaya",
        "Sambal rumahan dan olahan laut khas Suroboyo, dibuat di dapur sendiri di Rungkut.",
        products=[
            (
                "RT-SBL-BW",
                "Sambal Bawang Bu Ratna 200 g",
                "bumbu-dapur",
                "botol",
                35_000,
                40,
                "Sambal bawang pedas gurih, tanpa pengawet.",
                {},
            ),
            (
                "RT-SBL-BJ",
                "Sambal Bajak 200 g",
                "bumbu-dapur",
                "botol",
                35_000,
                30,
                "Sambal bajak manis pedas dengan terasi.",
                {},
            ),
            (
                "RT-SBL-CK",
                "Sambal Cumi Asin 200 g",
                "bumbu-dapur",
                "botol",
                48_000,
                25,
                "Sambal dengan cumi asin pilihan.",
                {},
            ),
            (
                "RT-SBL-TR",
                "Sambal Teri Pedas 200 g",
                "bumbu-dapur",
                "botol",
                42_000,
                25,
                "Sambal teri medan renyah.",
                {},
            ),
            (
                "RT-PTS-1",
                "Petis Udang Hitam 250 g",
                "bumbu-dapur",
                "botol",
                30_000,
                20,
                "Petis udang kental untuk rujak cingur dan tahu tek.",
                {},
            ),
            (
                "RT-BDG-1",
                "Bandeng Presto (isi 2)",
                "kuliner-siap-saji",
                "pack",
                45_000,
                15,
                "Bandeng presto duri lunak, tinggal goreng.",
                {},
            ),
            (
                "RT-RMB-1",
                "Rempeyek Kacang 250 g",
                "makanan-ringan",
                "pack",
                25_000,
                20,
                "Rempeyek kacang tanah renyah.",
                {},
            ),
            (
                "RT-KRP-1",
                "Kerupuk Udang Mentah 500 g",
                "makanan-ringan",
                "pack",
                38_000,
                20,
                "Kerupuk udang Sidoarjo siap goreng.",
                {},
            ),
        ],
    ),
    DemoVendor(
        "Kartini Handayani",
        "Batik Kenanga Suroboyo",
        "umkm",
        "verified",
        "Keputih",
        "9120001234505",
        "Jl. Keputih Tegal Timur No. 5, Surabaya",
        "Batik tulis dan cap motif Suroboyo serta kerajinan tangan warga Keputih.",
        products=[
            (
                "BK-KMJ-01",
                "Kemeja Batik Tulis Motif Suroboyo",
                "fashion",
                "pcs",
                350_000,
                10,
                "Kemeja pria lengan panjang, batik tulis motif Suro dan Boyo.",
                {},
            ),
            (
                "BK-KMJ-02",
                "Kemeja Batik Cap Motif Semanggi",
                "fashion",
                "pcs",
                225_000,
                12,
                "Kemeja pria lengan pendek, batik cap motif daun semanggi.",
                {},
            ),
            (
                "BK-BLS-01",
                "Blus Batik Wanita Motif Kembang Bungur",
                "fashion",
                "pcs",
                195_000,
                10,
                "Blus katun primisima, motif bunga bungur.",
                {},
            ),
            (
                "BK-KAI-01",
                "Kain Batik Tulis 2 meter",
                "fashion",
                "pcs",
                450_000,
                6,
                "Kain batik tulis pewarna alam.",
                {},
            ),
            (
                "BK-MSK-01",
                "Masker Kain Batik (isi 3)",
                "fashion",
                "pack",
                30_000,
                40,
                "Masker kain tiga lapis motif batik.",
                {},
            ),
            (
                "BK-TAS-01",
                "Tas Anyaman Eceng Gondok",
                "kerajinan",
                "pcs",
                150_000,
                8,
                "Tas jinjing anyaman eceng gondok.",
                {},
            ),
            (
                "BK-DMP-01",
                "Dompet Kulit Kombinasi Batik",
                "kerajinan",
                "pcs",
                85_000,
                15,
                "Dompet kulit sapi dengan aksen batik.",
                {},
            ),
            (
                "BK-MIN-01",
                "Miniatur Suro dan Boyo (kayu)",
                "kerajinan",
                "pcs",
                120_000,
                6,
                "Miniatur patung Suro dan Boyo dari kayu jati.",
                {},
            ),
            (
                "BK-GTC-01",
                "Gantungan Kunci Tugu Pahlawan (isi 6)",
                "kerajinan",
                "pack",
                36_000,
                25,
                "Oleh-oleh khas Surabaya.",
                {},
            ),
        ],
    ),
    DemoVendor(
        "Dewi Anggraini",
        "Dapur Kue Mbak Dewi",
        "umkm",
        "verified",
        "Ketabang",
        "9120001234506",
        "Jl. Ketabang Kali No. 12, Surabaya",
        "Kue basah, kue kering dan oleh-oleh Surabaya, dipanggang setiap hari.",
        products=[
            (
                "KD-ALM-01",
                "Almond Crispy Keju 100 g",
                "makanan-ringan",
                "pack",
                45_000,
                30,
                "Kue tipis almond renyah rasa keju, oleh-oleh khas Surabaya.",
                {},
            ),
            (
                "KD-ALM-02",
                "Almond Crispy Cokelat 100 g",
                "makanan-ringan",
                "pack",
                45_000,
                30,
                "Kue tipis almond renyah rasa cokelat.",
                {},
            ),
            (
                "KD-SPK-01",
                "Spiku Lapis Surabaya (1 loyang)",
                "kue-dan-roti",
                "pcs",
                185_000,
                5,
                "Lapis Surabaya tiga lapis dengan selai stroberi.",
                {},
            ),
            (
                "KD-LPL-01",
                "Lapis Legit Prunes 20 x 20 cm",
                "kue-dan-roti",
                "pcs",
                350_000,
                3,
                "Lapis legit rempah dengan prunes.",
                {},
            ),
            (
                "KD-BKA-01",
                "Bika Ambon Pandan",
                "kue-dan-roti",
                "pcs",
                90_000,
                6,
                "Bika ambon pandan bersarang.",
                {},
            ),
            (
                "KD-OND-01",
                "Onde-onde Wijen (isi 10)",
                "kue-dan-roti",
                "pack",
                30_000,
                10,
                "Onde-onde isi kacang hijau.",
                {},
            ),
            (
                "KD-ROT-01",
                "Roti Sobek Cokelat",
                "kue-dan-roti",
                "pcs",
                25_000,
                12,
                "Roti sobek lembut isi cokelat.",
                {},
            ),
            (
                "KD-NST-01",
                "Nastar Nanas 500 g",
                "kue-dan-roti",
                "pack",
                120_000,
                8,
                "Nastar selai nanas buatan sendiri.",
                {},
            ),
            (
                "KD-SUS-01",
                "Kue Sus Vla (1 lusin)",
                "kue-dan-roti",
                "lusin",
                60_000,
                8,
                "Kue sus isi vla vanila.",
                {},
            ),
            (
                "KD-BRW-01",
                "Brownies Kukus Pandan",
                "kue-dan-roti",
                "pcs",
                55_000,
                10,
                "Brownies kukus dua lapis.",
                {},
            ),
        ],
    ),
    DemoVendor(
        "Pengelola SWK Taman Bungkul",
        "Sentra Wisata Kuliner Taman Bungkul",
        "food_centre",
        "verified",
        "Darmo",
        "9120001234507",
        "Jl. Taman Bungkul, Darmo, Surabaya",
        "Sentra kuliner binaan Pemkot di sebelah Taman Bungkul.",
        products=[
            (
                "TB-RCG-01",
                "Rujak Cingur",
                "kuliner-siap-saji",
                "porsi",
                25_000,
                30,
                "Cingur sapi, sayur rebus, buah, lontong dan bumbu petis.",
                {},
            ),
            (
                "TB-LBL-01",
                "Lontong Balap",
                "kuliner-siap-saji",
                "porsi",
                18_000,
                30,
                "Lontong, taoge, tahu goreng, lentho dan sate kerang.",
                {},
            ),
            (
                "TB-RWN-01",
                "Rawon Daging",
                "kuliner-siap-saji",
                "porsi",
                32_000,
                25,
                "Rawon kluwek dengan daging sapi, telur asin dan kerupuk.",
                {},
            ),
            (
                "TB-SOT-01",
                "Soto Ayam Lamongan",
                "kuliner-siap-saji",
                "porsi",
                20_000,
                30,
                "Soto ayam kuah kuning dengan koya.",
                {},
            ),
            (
                "TB-TKT-01",
                "Tahu Tek",
                "kuliner-siap-saji",
                "porsi",
                17_000,
                25,
                "Tahu goreng, lontong, telur, bumbu kacang petis.",
                {},
            ),
            (
                "TB-DWT-01",
                "Es Dawet Siwalan",
                "minuman",
                "porsi",
                10_000,
                40,
                "Dawet dengan buah siwalan dan santan.",
                {},
            ),
            (
                "TB-CIN-01",
                "Es Cincau Hijau",
                "minuman",
                "porsi",
                8_000,
                40,
                "Cincau hijau, santan dan gula merah.",
                {},
            ),
        ],
    ),
    DemoVendor(
        "Pengelola SWK Pucang Anom",
        "Sentra Wisata Kuliner Pucang Anom",
        "food_centre",
        "verified",
        "Pucang Sewu",
        "9120001234508",
        "Jl. Pucang Anom Timur, Surabaya",
        "Sentra kuliner malam warga Pucang: sego sambel, lontong kupang dan jamu.",
        products=[
            (
                "PA-SGS-01",
                "Sego Sambel Ikan Pe",
                "kuliner-siap-saji",
                "porsi",
                15_000,
                30,
                "Nasi, ikan pe goreng, tahu tempe dan sambal bajak.",
                {},
            ),
            (
                "PA-LKP-01",
                "Lontong Kupang",
                "kuliner-siap-saji",
                "porsi",
                20_000,
                20,
                "Lontong dengan kupang, lentho dan petis.",
                {},
            ),
            (
                "PA-BBK-01",
                "Nasi Bebek Madura",
                "kuliner-siap-saji",
                "porsi",
                30_000,
                20,
                "Bebek goreng dengan bumbu hitam khas Madura.",
                {},
            ),
            (
                "PA-SMG-01",
                "Pecel Semanggi Suroboyo",
                "kuliner-siap-saji",
                "porsi",
                15_000,
                20,
                "Daun semanggi, taoge, bumbu ubi dan kerupuk puli.",
                {},
            ),
            (
                "PA-TCP-01",
                "Tahu Campur",
                "kuliner-siap-saji",
                "porsi",
                20_000,
                20,
                "Tahu, lentho, daging, mi dan kuah petis.",
                {},
            ),
            (
                "PA-JMU-01",
                "Jamu Beras Kencur 350 ml",
                "minuman",
                "botol",
                12_000,
                30,
                "Jamu beras kencur segar tanpa pengawet.",
                {},
            ),
            (
                "PA-KLP-01",
                "Es Kelapa Muda",
                "minuman",
                "porsi",
                12_000,
                25,
                "Kelapa muda dengan sirup gula aren.",
                {},
            ),
            (
                "PA-KSA-01",
                "Kopi Susu Gula Aren 250 ml",
                "minuman",
                "botol",
                18_000,
                30,
                "Kopi susu gula aren dalam botol.",
                {},
            ),
        ],
    ),
    DemoVendor(
        "Joko Susilo",
        "Toko Makmur Menur",
        "kelontong",
        "pending",
        "Menur Pumpungan",
        "9120001234509",
        "Jl. Menur Pumpungan No. 30, Surabaya",
        "Toko kelontong yang baru mendaftar, menunggu verifikasi Dinkopdag.",
        products=[
            (
                "MM-BRS-5",
                "Beras Premium 5 kg",
                "sembako",
                "pack",
                76_000,
                20,
                "Beras premium kemasan 5 kg.",
                EXEMPT,
            ),
            (
                "MM-MYK-2",
                "Minyak Goreng 2 liter",
                "sembako",
                "pack",
                38_500,
                20,
                "Minyak goreng kemasan pouch.",
                {},
            ),
        ],
    ),
    DemoVendor(
        "Darto Wiyono",
        "Kerupuk Pak Darto",
        "umkm",
        "suspended",
        "Peneleh",
        "9120001234510",
        "Jl. Peneleh Gg. VII No. 4, Surabaya",
        "Kerupuk rumahan.",
        status_reason="Produk belum lolos kurasi ulang Dinkopdag.",
        products=[
            (
                "PD-KRB-1",
                "Kerupuk Bawang 500 g",
                "makanan-ringan",
                "pack",
                22_000,
                15,
                "Kerupuk bawang mentah.",
                {},
            ),
            (
                "PD-KRI-1",
                "Kerupuk Ikan Tenggiri 250 g",
                "makanan-ringan",
                "pack",
                30_000,
                15,
                "Kerupuk ikan tenggiri mentah.",
                {},
            ),
        ],
    ),
    DemoVendor(
        "Siti Aminah",
        "Koperasi Konsumen Warga Ngagel",
        "koperasi",
        "verified",
        "Ngagel",
        "9120001234511",
        "Jl. Ngagel Rejo Kidul No. 12, Surabaya",
        "Koperasi konsumen warga: sembako dan hasil anggota. Berbadan hukum, kelas usaha"
        " menengah; belanja di koperasi dihitung bersama usaha mikro dan kecil (Perpres 12/2021).",
        umk_class="medium",
        phone="0813-3012-4455",
        npwp="02.345.678.9-614.000",
        legal_entity_number="AHU-0003217.AH.01.26.TAHUN 2021",
        products=[
            (
                "KW-BRS-5",
                "Beras Medium Anggota 5 kg",
                "sembako",
                "pack",
                68_000,
                40,
                "Beras medium dari petani anggota koperasi.",
                EXEMPT,
            ),
            (
                "KW-TLR-10",
                "Telur Ayam Negeri 1 kg",
                "sembako",
                "kg",
                28_000,
                30,
                "Telur ayam dari peternak anggota.",
                EXEMPT,
            ),
        ],
    ),
]


@dataclass
class SeedResult:
    """How many rows of each kind were created (0 everywhere on a second run)."""

    created: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, created: bool | int) -> None:
        """Count one row when `created` is True, or `created` rows when it is a number."""
        self.created.setdefault(kind, 0)
        self.created[kind] += int(created)

    @property
    def total(self) -> int:
        return sum(self.created.values())


def _get_or_create(model, key: dict[str, Any], values: dict[str, Any]):
    """The row matching `key`, or a new one with `key` and `values` (flushed). Existing rows are
    left untouched so a demo user's changes survive a second seed."""
    row = db.session.scalar(select(model).filter_by(**key))
    if row is not None:
        return row, False
    row = model(**key, **values)
    db.session.add(row)
    db.session.flush()
    return row, True


def _noop(_message: str) -> None:
    return None


def _demo_place(places: list[Place]) -> Callable[[str], Place]:
    """The area a demo row named by its Surabaya kelurahan sits in: that kelurahan (in its
    kecamatan) when the city has it, else the city's n-th area for the demo's n-th kelurahan."""
    if not places:
        raise RuntimeError("The city has no areas: run `flask import-areas` first.")
    demo = [(kecamatan, k) for kecamatan, names in AREAS.items() for k in names]
    index = {k: n for n, (_, k) in enumerate(demo)}

    def place_of(kelurahan: str) -> Place:
        n = index[kelurahan]
        found = resolve(places, kelurahan=kelurahan, kecamatan=demo[n][0])
        return found.place if found.found else places[n % len(places)]

    return place_of


def seed_demo(echo: Callable[[str], None] = _noop) -> SeedResult:
    """Load the demo data (idempotent) and run the registered `SEEDERS`; commits once for the
    core data. `echo` receives one progress line per step."""
    result = SeedResult()
    password_hash = generate_password_hash(DEMO_PASSWORD)  # Werkzeug's default (scrypt)

    echo("Wilayah (kecamatan dan kelurahan)…")
    loaded = import_areas(None)
    result.add("areas", loaded.kelurahan.created)
    place_of = _demo_place(city_places())

    echo("Perangkat daerah (OPD)…")
    opds = {}
    for code, name in OPDS:
        opds[code], created = _get_or_create(Opd, {"code": code}, {"name": name})
        result.add("opds", created)

    echo("Kategori…")
    categories = {}
    for slug, name, name_en in CATEGORIES:
        categories[slug], created = _get_or_create(
            Category, {"slug": slug}, {"name": name, "name_en": name_en}
        )
        result.add("categories", created)

    echo("Akun admin, keuangan, ASN dan warga…")

    def user(email: str, **values) -> User:
        row, created = _get_or_create(
            User, {"email": email}, {"password_hash": password_hash, **values}
        )
        result.add("users", created)
        return row

    user("admin@demo.peken.id", name="Admin Dinkopdag", role="admin", opd_id=opds["DINKOPDAG"].id)
    user(
        "finance@demo.peken.id", name="Staf Keuangan BPKAD", role="finance", opd_id=opds["BPKAD"].id
    )
    for n, (name, nip, opd_code, position, kelurahan) in enumerate(CIVIL_SERVANTS, start=1):
        user(
            f"asn{n}@demo.peken.id",
            name=name,
            role="civil_servant",
            nip=nip,
            opd_id=opds[opd_code].id,
            position=position,
            kelurahan=place_of(kelurahan).name,
            area_code=place_of(kelurahan).code,
        )
    home = place_of("Mojo")
    user(
        "warga1@demo.peken.id",
        name="Budi Santoso",
        role="public",
        phone="+6285733000001",
        kelurahan=home.name,
        area_code=home.code,
    )

    echo("Toko dan produk…")
    # The demo's flags are claims like any shop's, then approved through the city's review, so
    # the catalogue shows local/PDN products and the review history is real.
    from marketplace.shops.flag_reviews import approve_flags, claim_flags

    to_approve: list[int] = []
    for n, spec in enumerate(VENDORS, start=1):
        owner = user(f"warung{n}@demo.peken.id", name=spec.owner_name, role="vendor")
        vendor, created = _get_or_create(
            Vendor,
            {"owner_id": owner.id},
            {
                "name": spec.name,
                "type": spec.type,
                "status": spec.status,
                "nib": spec.nib,
                "npwp": primitives.parse_npwp(spec.npwp),
                "phone": primitives.parse_phone(spec.phone),
                "legal_entity_number": spec.legal_entity_number,
                "pkp": spec.pkp,
                "area_code": place_of(spec.kelurahan).code,
                "kelurahan": place_of(spec.kelurahan).name,
                "kecamatan": place_of(spec.kelurahan).kecamatan_name,
                "address": spec.address,
                "made_in_city": True,
                "umk_class": spec.umk_class,
                "description": spec.description,
                "status_reason": spec.status_reason,
                "verified_at": utcnow() if spec.status == "verified" else None,
                # a (made-up) bank account, so a demo payout run pays the shops instead of flagging them
                "bank_name": "Bank Jatim",
                "bank_account_number": f"0011{n:06d}",
                "bank_account_name": spec.owner_name,
            },
        )
        result.add("vendors", created)
        local_maker = spec.type in ("umkm", "food_centre")
        for sku, name, slug, unit, price, stock, description, flags in spec.products:
            values = {
                "name": name,
                "category_id": categories[slug].id,
                "unit": unit,
                "price": price,
                "stock": stock,
                "description": description,
                "is_active": True,
            }
            product, created = _get_or_create(Product, {"vendor_id": vendor.id, "sku": sku}, values)
            result.add("products", created)
            if created:
                claims = {"is_local_product": local_maker, "is_pdn": True, "vat_exempt": False}
                if claim_flags(owner, product, {**claims, **flags}):
                    to_approve.append(product.id)
            if created and stock:
                db.session.add(
                    StockMovement(
                        product_id=product.id,
                        delta=stock,
                        stock_after=stock,
                        kind="initial",
                        note="data demo",
                        actor_id=owner.id,
                    )
                )
    db.session.commit()
    echo("  " + ", ".join(f"{kind}: +{count}" for kind, count in result.created.items()))
    if to_approve:
        echo("Klaim PDN/lokal/bebas PPN produk demo disetujui Pemkot…")
        reviewer = db.session.scalar(select(User).where(User.email == "admin@demo.peken.id"))
        for product_id in to_approve:
            approve_flags(reviewer, product_id, reason="data demo")

    for seeder in SEEDERS:
        echo(
            (getattr(seeder, "__doc__", None) or seeder.__name__)
            .strip()
            .splitlines()[0]
            .rstrip(".")
            + "…"
        )
        seeder()

    echo("Target belanja UMK/PDN/lokal tahun ini…")
    result.add("targets", seed_demo_targets())
    echo("Anggaran belanja barang/jasa OPD tahun ini…")
    result.add("budgets", seed_demo_budgets())
    echo("Belanja contoh (pesanan, pembayaran sandbox, penerimaan, satu refund)…")
    orders = seed_demo_purchases()
    result.add("orders", orders)
    if orders:
        echo(f"  orders: +{orders}")
    echo("Pembelian kantor DINKES (permintaan, persetujuan PPK, BAST, SP2D)…")
    result.add("office_requests", seed_demo_office_purchases())
    return result


# Which demo buyers buy what: (buyer email, [(vendor owner email, product sku, quantity)], how far
# the orders go). Real services do the work, so stock, ledger, spending records and mandate
# progress are exactly what a real purchase leaves behind.
DEMO_PURCHASES = (
    ("asn1@demo.peken.id", 0, "completed"),
    ("asn2@demo.peken.id", 1, "completed"),
    ("asn3@demo.peken.id", 2, "ready"),
    ("asn4@demo.peken.id", 3, "accepted"),
    ("asn5@demo.peken.id", 4, "paid"),
    ("warga1@demo.peken.id", 5, "completed"),
)


def seed_demo_targets() -> bool:
    """This year's spending targets (city-wide and for three OPDs), unless finance set some."""
    from marketplace.finance import services as finance
    from marketplace.timeutil import now_utc, year_of

    year = year_of(now_utc())
    actor = db.session.scalar(select(User).where(User.email == "finance@demo.peken.id"))
    if actor is None or finance.get_targets(year)["is_set"]:
        return False
    finance.set_targets(
        actor,
        year,
        {
            "umk": 40_000_000,
            "pdn": 50_000_000,
            "local": 20_000_000,
            "by_opd": {
                code: {"umk": 8_000_000, "pdn": 10_000_000, "local": 4_000_000}
                for code in ("DINKOPDAG", "BPKAD", "KEC-GUBENG")
                if db.session.scalar(select(Opd.id).where(Opd.code == code))
            },
        },
    )
    return True


def seed_demo_budgets() -> bool:
    """This year's goods-and-services budgets of three OPDs (what the 40% UMK share is measured
    against), unless finance entered some."""
    from marketplace.finance import services as finance
    from marketplace.timeutil import now_utc, year_of

    year = year_of(now_utc())
    actor = db.session.scalar(select(User).where(User.email == "finance@demo.peken.id"))
    if actor is None or finance.get_budgets(year)["is_set"]:
        return False
    amounts = {"DINKOPDAG": 12_500_000_000, "BPKAD": 8_000_000_000, "KEC-GUBENG": 1_750_000_000}
    known = set(db.session.scalars(select(Opd.code).where(Opd.code.in_(list(amounts)))))
    if not known:
        return False
    finance.set_budgets(actor, year, {c: a for c, a in amounts.items() if c in known})
    return True


def seed_demo_purchases() -> int:
    """A few purchases through the real checkout, so dashboards, balances and progress bars have
    something to show. Idempotent: each demo checkout has a fixed Idempotency-Key."""
    from marketplace.ordering.cart import add_to_cart
    from marketplace.ordering.checkout import place_checkout
    from marketplace.ordering.lifecycle import accept_order, confirm_receipt, mark_order_ready
    from marketplace.ordering.models import Checkout
    from marketplace.ordering.refunds import refund_order
    from marketplace.payments.models import Payment
    from marketplace.payments.services import confirm_sandbox_payment

    finance = db.session.scalar(select(User).where(User.email == "finance@demo.peken.id"))
    listed = db.session.scalars(
        select(Product)
        .join(Vendor)
        .where(Vendor.status == "verified", Product.is_active, Product.stock > 10)
        .order_by(Vendor.id, Product.id)
    ).all()
    by_vendor: dict[int, list[Product]] = {}
    for product in listed:
        by_vendor.setdefault(product.vendor_id, []).append(product)
    vendor_ids = sorted(by_vendor)
    if len(vendor_ids) < 2 or finance is None:
        return 0
    local_of = {
        vendor_id: [p for p in products if p.is_local_product and p.vendor.made_in_city]
        for vendor_id, products in by_vendor.items()
    }
    local_of = {vendor_id: products for vendor_id, products in local_of.items() if products}
    local_vendor_ids = sorted(local_of) if len(local_of) >= 2 else []
    created = 0
    for email, n, goal in DEMO_PURCHASES:
        buyer = db.session.scalar(select(User).where(User.email == email))
        key = f"demo-purchase-{n}"
        if buyer is None or db.session.scalar(
            select(Checkout.id).where(
                Checkout.buyer_id == buyer.id, Checkout.idempotency_key == key
            )
        ):
            continue
        # two shops per buyer, rotating, so orders spread over the shops; civil servants buy the
        # reviewed local products of local shops, which is what their mandate counts
        shops = (
            local_vendor_ids if buyer.role == "civil_servant" and local_vendor_ids else vendor_ids
        )
        for vendor_id in (shops[n % len(shops)], shops[(n + 1) % len(shops)]):
            products = local_of.get(vendor_id) if buyer.role == "civil_servant" else None
            products = products or by_vendor[vendor_id]
            add_to_cart(buyer, products[n % len(products)].id, 1 + n % 3)
        checkout = place_checkout(buyer, key, {"fulfilment": "pickup", "payment_method": "sandbox"})
        payment = db.session.scalar(select(Payment).where(Payment.checkout_id == checkout.id))
        confirm_sandbox_payment(buyer, payment.id, "succeeded")
        for order in list(checkout.orders):
            owner = order.vendor.owner
            if goal in ("accepted", "ready", "completed"):
                accept_order(owner, order.id)
            if goal in ("ready", "completed"):
                mark_order_ready(owner, order.id)
            if goal == "completed":
                confirm_receipt(buyer, order.id)
        created += len(checkout.orders)
        if n == 1:  # one partial refund, so finance sees one in the ledger and reports
            first = checkout.orders[0]
            refund_order(
                finance,
                first.id,
                min(5_000, first.total),
                "Satu barang rusak saat diterima (data demo)",
            )
    return created


# The office purchasing demo (issue 12): DINKES's officer Nur Aini buys from two local shops, the
# PPK dr. Rina Wulandari approves, the shops hand the goods over, the officer confirms each with a
# BAST (and uploads the printed BAST as its "signed" scan), and the treasurer Andi Kurniawan pays
# by SP2D; a second request waits for the PPK. Matched by activity, so it is made once.
DEMO_OFFICE = "DINKES"
DEMO_OFFICE_DONE = "Rapat koordinasi kader posyandu (data demo)"
DEMO_OFFICE_WAITING = "Penyuluhan gizi balita (data demo)"
DEMO_OFFICE_BUDGET_LINE = "5.1.02.01.01.0024"
DEMO_SP2D = "00042/SP2D/LS/DINKES"


def seed_demo_office_purchases() -> int:
    """One completed office purchase of DINKES (approved, delivered, BAST, paid by SP2D) and one
    request waiting for approval, through the real services. Returns how many requests it made
    (0 when they exist already, or the office's roles or two local shops are missing)."""
    from werkzeug.datastructures import FileStorage

    from marketplace.ordering.lifecycle import accept_order, record_delivery
    from marketplace.ordering.models import Order
    from marketplace.procurement import bast as office_bast
    from marketplace.procurement import payments as office_payments
    from marketplace.procurement import requests as office_requests
    from marketplace.procurement.models import PurchaseRequest
    from marketplace.procurement.roles import office_of
    from marketplace.timeutil import today_local

    opd = db.session.scalar(select(Opd).where(Opd.code == DEMO_OFFICE))
    if opd is None:
        return 0
    made = set(
        db.session.scalars(
            select(PurchaseRequest.activity).where(
                PurchaseRequest.opd_id == opd.id, PurchaseRequest.status != "draft"
            )
        )
    )
    if DEMO_OFFICE_DONE in made and DEMO_OFFICE_WAITING in made:
        return 0
    staff = {
        role: next(
            (
                u
                for u in db.session.scalars(select(User).where(User.opd_id == opd.id))
                if office_of(u).holds(role)
            ),
            None,
        )
        for role in ("officer", "ppk", "treasurer")
    }
    if None in staff.values():
        return 0
    allowed = office_requests.allowed_categories()
    products: dict[int, Product] = {}
    for product in db.session.scalars(
        select(Product)
        .join(Vendor)
        .join(Category, Category.id == Product.category_id)
        .where(Vendor.status == "verified", Vendor.made_in_city, Product.is_active)
        .where(Product.stock >= 20)
        .order_by(Product.id)
    ):
        if (not allowed or product.category.slug in allowed) and product.vendor_id not in products:
            products[product.vendor_id] = product
    shops = list(products.values())
    if len(shops) < 3:
        return 0
    officer, ppk, treasurer = staff["officer"], staff["ppk"], staff["treasurer"]

    def submit(activity: str, items: list[tuple[Product, int]]) -> PurchaseRequest:
        for product, quantity in items:
            office_requests.set_cart_item(officer, product.id, quantity)
        office_requests.update_cart(
            officer,
            {
                "budget_line": DEMO_OFFICE_BUDGET_LINE,
                "activity": activity,
                "purpose": "Konsumsi 40 kader posyandu",
            },
        )
        return office_requests.submit_request(officer)

    count = 0
    if DEMO_OFFICE_DONE not in made:
        request = submit(DEMO_OFFICE_DONE, [(shops[0], 6), (shops[1], 5)])
        request = office_requests.approve_request(ppk, request.id)
        orders = db.session.scalars(
            select(Order).where(Order.checkout_id == request.checkout_id).order_by(Order.id)
        ).all()
        today = today_local()
        for order in orders:
            owner = order.vendor.owner
            accept_order(owner, order.id)
            record_delivery(owner, order.id, delivered_on=today, received_by=officer.name)
            bast = office_bast.create_bast(officer, order.id, {"note": "Lengkap dan baik"})
            try:  # the printed BAST stands for its signed scan (needs WeasyPrint's libraries)
                scan = office_bast.bast_pdf(bast)
            except (ImportError, OSError):
                continue
            name = f"{bast.number.replace('/', '-')}-ttd.pdf"
            office_bast.upload_scan(officer, bast.id, FileStorage(io.BytesIO(scan), filename=name))
        office_payments.pay_orders(
            treasurer,
            request.id,
            {"method": "sp2d", "reference": f"{DEMO_SP2D}/{today.year}", "paid_on": today},
            None,
        )
        count += 1
    if DEMO_OFFICE_WAITING not in made:
        submit(DEMO_OFFICE_WAITING, [(shops[2], 4)])
        count += 1
    return count
