"""Pure account rules (no database): emails, passwords and NIP.

Password rules follow OWASP ASVS 5.0 §6.2: at least 8 characters (6.2.1), long passphrases
allowed (6.2.9, up to 128 here), very common passwords rejected (6.2.4) and no composition
rules such as "one digit and one symbol" (6.2.5).
"""

from __future__ import annotations

import re

from marketplace import text

PASSWORD_MIN = 8
PASSWORD_MAX = 128
NIP_LENGTH = 18

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
_DIGITS_ONLY = re.compile(r"^\d+$")

# A short list of the passwords that top every breach list, plus the local favourites
# (Indonesian words and this product's own name). Checked case-insensitively.
COMMON_PASSWORDS = frozenset(
    [
        "123456",
        "123456789",
        "12345678",
        "1234567890",
        "1234567",
        "12345",
        "password",
        "password1",
        "password123",
        "qwerty",
        "qwerty123",
        "qwertyuiop",
        "111111",
        "11111111",
        "000000",
        "00000000",
        "123123",
        "123123123",
        "1q2w3e4r",
        "1q2w3e4r5t",
        "abc123",
        "abcd1234",
        "iloveyou",
        "admin",
        "admin123",
        "administrator",
        "welcome",
        "welcome1",
        "letmein",
        "monkey",
        "dragon",
        "football",
        "baseball",
        "sunshine",
        "princess",
        "master",
        "login",
        "passw0rd",
        "p@ssw0rd",
        "p@ssword",
        "trustno1",
        "superman",
        "batman",
        "michael",
        "shadow",
        "654321",
        "987654321",
        "666666",
        "888888",
        "88888888",
        "12341234",
        "asdfghjk",
        "asdfghjkl",
        "zxcvbnm",
        "zxcvbnm123",
        "qazwsxedc",
        "1qaz2wsx",
        "changeme",
        "secret",
        "secret123",
        "default",
        "guest",
        "test1234",
        "bismillah",
        "bismillah123",
        "indonesia",
        "indonesia123",
        "sayang",
        "sayangku",
        "sayang123",
        "rahasia",
        "rahasia123",
        "surabaya",
        "surabaya123",
        "jakarta123",
        "bandung123",
        "merdeka",
        "merdeka45",
        "garuda123",
        "kucing",
        "kucing123",
        "anakku",
        "cintaku",
        "alhamdulillah",
        "katasandi",
        "katasandi123",
        "sandi123",
        "peken",
        "peken123",
        "epeken",
        "epeken123",
        "pekensurabaya",
    ]
)


def normalise_email(email: str | None) -> str:
    """Emails are compared and stored NFKC-normalised, trimmed and lowercase."""
    return text.normalise_email(email)


def is_valid_email(email: str) -> bool:
    return len(email) <= 254 and bool(_EMAIL.match(email))


def password_problems(
    password: str | None, *, email: str | None = None, city_words: tuple[str, ...] = ()
) -> list[str]:
    """Indonesian messages (translated by the caller) for each rule the password breaks.
    `city_words` (the city's short and platform names) are as common as "surabaya" is in
    Surabaya: they, with 123 after them and without spaces, are refused too."""
    password = password or ""
    problems: list[str] = []
    if len(password) < PASSWORD_MIN:
        problems.append(f"Kata sandi minimal {PASSWORD_MIN} karakter.")
    if len(password) > PASSWORD_MAX:
        problems.append(f"Kata sandi maksimal {PASSWORD_MAX} karakter.")
    lowered = password.strip().lower()
    local = {w.lower().replace(" ", "") + tail for w in city_words for tail in ("", "123")}
    if lowered in COMMON_PASSWORDS or lowered.replace(" ", "") in local:
        problems.append("Kata sandi ini terlalu umum; pilih yang lain.")
    elif email and lowered and lowered in (email.lower(), email.lower().split("@")[0]):
        problems.append("Kata sandi tidak boleh sama dengan email.")
    return problems


def normalise_nip(nip: str | None) -> str:
    """HR exports sometimes group the NIP (`19800101 200604 1 001`); spaces are dropped."""
    return re.sub(r"\s+", "", nip or "")


def is_valid_nip(nip: str) -> bool:
    """A civil servant's NIP (Nomor Induk Pegawai) is exactly 18 digits."""
    return len(nip) == NIP_LENGTH and bool(_DIGITS_ONLY.match(nip))


def login_nip(login: str | None) -> str | None:
    """The NIP a sign-in `login` names (18 digits, spaces allowed as in HR exports), or None
    when it is an email: ASN may sign in with either."""
    nip = normalise_nip(login)
    return nip if is_valid_nip(nip) else None
