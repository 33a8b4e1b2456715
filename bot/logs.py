"""Logging setup: one line per event on stderr, secrets redacted and question texts kept out.

The token is part of every Bot API URL, and HTTP client libraries log URLs (httpx at INFO, PTB
at DEBUG). A filter on the handler rewrites each record, whatever logger emitted it, including
exception tracebacks, in any letter case (an error message may lower-case a URL). PTB and the
HTTP clients log whole updates and request parameters at DEBUG — question texts, the webhook
secret — so they stay at INFO or above whatever the level asked for.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import TextIO

REDACTED = "<token>"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_NOISY_LOGGERS = ("httpx", "httpcore")  # request lines with URLs: WARNING and up
_CHATTY_LOGGERS = ("telegram", "tornado")  # updates and parameters at DEBUG: INFO and up
# A WARNING per reconnection attempt while PostgreSQL is down: the shared inbox's own ERROR,
# once a minute, says it instead.
_RETRYING_LOGGERS = ("psycopg.pool",)


class SecretFilter(logging.Filter):
    """Replaces every occurrence of the given secrets in a record with REDACTED."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [secret for secret in secrets if secret]
        longest_first = sorted(self.secrets, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, longest_first)), re.IGNORECASE)

    def redact(self, text: str) -> str:
        return self._pattern.sub(REDACTED, text) if self.secrets else text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        record.msg = self.redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        record.exc_info = None if record.exc_text else record.exc_info
        return True


def log_handler() -> logging.StreamHandler[TextIO] | None:
    """The stream handler `configure_logging` installed, if it did."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler) and getattr(handler, "tin_bot", False):
            return handler
    return None


def configure_logging(level: str, secrets: list[str], stream: TextIO | None = None) -> None:
    """Root logging to stderr at `level`; HTTP client chatter only from WARNING up."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(SecretFilter(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        if isinstance(old, logging.StreamHandler) and getattr(old, "tin_bot", False):
            root.removeHandler(old)
    handler.tin_bot = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    for name in _NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in _CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.INFO, root.level))
    for name in _RETRYING_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)
