"""Secrets never reach a log: what looks like a key is masked in audit lines and in Python log records.

Callers put keys where they should not (a query string, a path, a search box), and a log
is read by more people, and kept longer, than the key file. So every text that goes to a
log passes through ``redact``: huntRED keys keep their key id (not secret, and what the
audit log names callers by), everything else that looks like a secret becomes
``[redacted]``.
"""
from __future__ import annotations

import logging
import re

MASK = "[redacted]"

_HUNTRED_KEY = re.compile(r"\b(hr_[0-9A-Za-z]{1,32}_)[A-Za-z0-9_-]{8,}")
_NAMED_SECRETS = re.compile(r"\b(?:(?:sk|rk|pk)_(?:live|test)_|whsec_)[A-Za-z0-9+/=_-]{6,}")
_LONG_HEX = re.compile(r"(?<![0-9A-Za-z])[0-9a-fA-F]{32,}(?![0-9A-Za-z])")
_LONG_TOKEN = re.compile(r"[A-Za-z0-9+_=-]{32,}")
#: query parameters that carry a key by their name, whatever the value looks like
KEY_PARAMETER_NAMES = frozenset({"apikey", "key", "xapikey", "token", "accesstoken"})
_KEY_PARAMETER = re.compile(r"(?i)\b((?:api[-_]?key|x[-_]api[-_]key|key|token|access[-_]token)=)[^&\s\"']+")


def _token(match: re.Match) -> str:
    # 32+ characters mixing upper case, lower case and digits are random, not words, paths or ids (uuids are lower case)
    text = match.group(0)
    random_looking = any(c.isupper() for c in text) and any(c.islower() for c in text) and any(c.isdigit() for c in text)
    return MASK if random_looking else text


def redact(text: str) -> str:
    """The text with API keys, Stripe secrets and long random tokens masked."""
    text = _HUNTRED_KEY.sub(lambda m: m.group(1) + MASK, text)
    text = _NAMED_SECRETS.sub(MASK, text)
    text = _KEY_PARAMETER.sub(lambda m: m.group(1) + MASK, text)
    text = _LONG_HEX.sub(MASK, text)
    return _LONG_TOKEN.sub(_token, text)


def is_key_parameter(name: str) -> bool:
    """Whether a query parameter's name says it carries an API key (api_key, X-API-Key, key, token, ...)."""
    return name.lower().replace("-", "").replace("_", "") in KEY_PARAMETER_NAMES


def _redacted(value):
    """A log argument with secrets masked; numbers stay numbers (%d), objects stay objects unless their text held one."""
    if value is None or isinstance(value, (int, float)):
        return value
    text = str(value)
    masked = redact(text)
    return value if masked == text else masked


def install_log_redaction() -> None:
    """Mask secrets in every log record of this process, whoever logs it (uvicorn's access log, our handlers, libraries).

    Done where records are made rather than in a handler's filter, so it holds for
    handlers configured later and for records that propagate. Arguments are masked one
    by one (uvicorn's access formatter unpacks them), and a traceback is formatted
    and masked once here (exception messages can quote a request).
    """
    make = logging.getLogRecordFactory()
    if getattr(make, "redacts", False):
        return

    def record(*args, **kwargs) -> logging.LogRecord:
        rec = make(*args, **kwargs)
        rec.msg = _redacted(rec.msg)
        if isinstance(rec.args, tuple):
            rec.args = tuple(_redacted(a) for a in rec.args)
        elif isinstance(rec.args, dict):
            rec.args = {k: _redacted(v) for k, v in rec.args.items()}
        if rec.exc_info and not rec.exc_text:
            rec.exc_text = redact(logging.Formatter().formatException(rec.exc_info))
        return rec

    record.redacts = True
    logging.setLogRecordFactory(record)
