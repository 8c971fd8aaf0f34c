"""Password hashing with scrypt (memory-hard, standard library) and the password policy."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from .errors import InvalidInput

MIN_LENGTH = 12
MAX_LENGTH = 256
# scrypt cost: n=2**14, r=8 → 16 MiB per hash; about 50 ms here.
_N, _R, _P = 2**14, 8, 1

# The most common passwords of 12+ characters (from public breach top lists); refused outright.
COMMON = {
    "123456789012", "1234567890123", "12345678901234", "123456789123", "qwertyuiopas", "qwertyuiop123",
    "password1234", "password12345", "password123!", "passwordpassword", "iloveyou1234", "abc123456789",
    "111111111111", "000000000000", "aaaaaaaaaaaa", "welcome12345", "letmein12345", "administrator",
    "changeme1234", "qwerty123456", "1q2w3e4r5t6y", "1qaz2wsx3edc", "zaq12wsxcde3", "football1234",
    "baseball1234", "superman1234", "sunshine1234", "trustno1trustno1", "monkey123456", "princess1234",
    "qazwsxedcrfv", "asdfghjkl123", "q1w2e3r4t5y6", "passw0rd1234", "p@ssw0rd1234", "p@ssword1234",
    "publichealth", "publichealth1", "healthequity", "healthequity1", "equityexchange", "correcthorsebatterystaple",
}


def check_policy(password: str, *, email: str = "") -> None:
    """Raise InvalidInput unless the password is long enough and not a common one."""
    if password is None or len(password) < MIN_LENGTH:
        raise InvalidInput(f"Use at least {MIN_LENGTH} characters.", "password")
    if len(password) > MAX_LENGTH:
        raise InvalidInput(f"Use at most {MAX_LENGTH} characters.", "password")
    lowered = password.lower()
    if lowered in COMMON or len(set(password)) <= 2:
        raise InvalidInput("That password is too common; choose another.", "password")
    if email and lowered == email.lower():
        raise InvalidInput("Do not use your email address as your password.", "password")


def hash_password(password: str) -> str:
    """A salted scrypt hash, as 'scrypt$n$r$p$salt$hash'."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, maxmem=64 * 1024 * 1024)
    enc = lambda b: base64.b64encode(b).decode()  # noqa: E731
    return f"scrypt${_N}${_R}${_P}${enc(salt)}${enc(digest)}"


def verify_password(password: str, stored: str | None) -> bool:
    """True when `password` matches the stored hash (constant-time compare)."""
    if not stored or not password:
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), maxmem=64 * 1024 * 1024
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(expected, actual)
