"""Password hashing with scrypt (memory-hard, standard library) and the password policy (zxcvbn strength estimate)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from zxcvbn import zxcvbn

from exchange import config
from exchange.errors import InvalidInput

MIN_LENGTH = 12
MAX_LENGTH = 256
MIN_SCORE = 3  # zxcvbn: 3 = "safely unguessable: moderate protection from offline slow-hash scenario"
# zxcvbn's run time grows fast with length and it refuses more than 72 characters;
# a longer password is judged by its first 72, which already decide whether it is guessable.
_ESTIMATE_CHARS = 72
# Words anyone would try first against this exchange.
_SITE_WORDS = ("publichealth", "healthequity", "equityexchange", "equity", "exchange", "public", "health",
               "department", "demo", "password")
# scrypt cost: n=2**cost (EXCHANGE_PASSWORD_HASH_COST, 14 by default: 16 MiB and about 50-95 ms per hash), r=8, p=1.
# Tests use a cheap cost through config; production refuses one (exchange/config.py).
_R, _P = 8, 1
# scrypt needs a little over 128·r·n bytes: room for the dearest allowed cost (16), and a bound on what a stored hash may ask.
_MAXMEM = 2 * 128 * _R * 2**16


def check_policy(password: str, *, email: str = "") -> None:
    """Raise InvalidInput unless the password is 12–256 characters and zxcvbn rates it hard to guess (score ≥ 3)."""
    if password is not None and not isinstance(password, str):
        raise InvalidInput("A password must be text.", "password")
    if password is None or len(password) < MIN_LENGTH:
        raise InvalidInput(f"Use at least {MIN_LENGTH} characters.", "password")
    if len(password) > MAX_LENGTH:
        raise InvalidInput(f"Use at most {MAX_LENGTH} characters.", "password")
    if email and password.lower() == email.lower():
        raise InvalidInput("Do not use your email address as your password.", "password")
    user_words = [*_SITE_WORDS, *(w for w in re.split(r"[@._+-]", (email or "").lower()) if len(w) > 2)]
    estimate = zxcvbn(password[:_ESTIMATE_CHARS], user_inputs=user_words)
    if estimate["score"] < MIN_SCORE:
        feedback = estimate["feedback"]
        advice = " ".join(filter(None, [feedback.get("warning"), *feedback.get("suggestions", [])]))
        raise InvalidInput(f"That password is too easy to guess. {advice or 'Add a few unrelated words.'}".strip(),
                           "password")


def hash_password(password: str) -> str:
    """A salted scrypt hash, as 'scrypt$n$r$p$salt$hash'."""
    n = 2 ** config.settings().password_hash_cost
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=_R, p=_P, maxmem=_MAXMEM)
    enc = lambda b: base64.b64encode(b).decode()  # noqa: E731
    return f"scrypt${n}${_R}${_P}${enc(salt)}${enc(digest)}"


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
            password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), maxmem=_MAXMEM
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(expected, actual)
