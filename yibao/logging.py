"""The one logging setup of the Python services: structlog, with personal numbers redacted from every event.

    from yibao.logging import configure_logging, get_logger
    configure_logging("kiosk_api")          # once, at process start
    log = get_logger(__name__)
    log.info("chat", session=session_id, text=user_text)   # card/ID/phone numbers and PINs are masked

Records from the standard ``logging`` module (uvicorn, rasa-sdk, httpx) go through the same redaction.
"""

from __future__ import annotations

import logging
import sys
import warnings
from collections.abc import Mapping, MutableMapping
from typing import Any

import structlog

from yibao.redaction import redact, redact_value

# Keys whose values are secrets in themselves, whatever they look like.
SECRET_KEYS = frozenset({"pin", "otp", "password", "code", "id_last6", "id_number"})


def redact_event(_logger: Any, _method: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: mask every string in the event; drop secret-named fields' values."""
    for key, value in list(event_dict.items()):
        event_dict[key] = "[已隐藏]" if key.lower() in SECRET_KEYS else redact_value(value)
    return event_dict


class RedactingFilter(logging.Filter):
    """Redacts standard-library log records (message and arguments) before any handler writes them."""

    def filter(self, record: logging.LogRecord) -> bool:
        # Redact the template and each argument in place: formatters such as uvicorn's access log unpack
        # ``record.args`` by position, so its shape must stay as it was.
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact_value(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, Mapping):
            record.args = {k: redact_value(v) for k, v in record.args.items()}
        return True


def install_record_redaction() -> None:
    """Redact every standard-library log record where it is made, whoever configures the handlers later.

    For processes whose logging we do not set up ourselves - the Rasa server (Rasa writes a payload such as
    ``/inform{"card_number": ...}`` into a warning, and renders its structlog events through stdlib loggers)
    and rasa-sdk's actions - a filter on today's handlers would be lost when they configure their own.
    """
    make_record = logging.getLogRecordFactory()
    if getattr(make_record, "yibao_redacting", False):
        return
    redacting = RedactingFilter()

    def redacted_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        redacting.filter(record)
        return record

    redacted_record.yibao_redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(redacted_record)

    # Rasa also reports through Python warnings, printed to stderr without any log record (a payload with an
    # entity it does not know: the whole `/inform{"card_number": ...}` text).
    show = warnings.showwarning

    def redacted_warning(message: Any, category: Any, filename: str, lineno: int, file: Any = None,
                         line: str | None = None) -> None:
        show(redact(str(message)), category, filename, lineno, file, line)

    warnings.showwarning = redacted_warning


def configure_logging(service: str = "yibao", level: int = logging.INFO, json: bool = True) -> None:
    """JSON lines on stderr (the stack writes them to ``var/logs/<service>.log``); idempotent."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        redact_event,
    ]
    renderer = structlog.processors.JSONRenderer(ensure_ascii=False) if json else structlog.dev.ConsoleRenderer()
    structlog.configure(
        processors=[*shared, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=False,
    )
    structlog.contextvars.bind_contextvars(service=service)
    root = logging.getLogger()
    root.setLevel(level)
    if not any(isinstance(f, RedactingFilter) for h in root.handlers for f in h.filters):
        handler = logging.StreamHandler(sys.stderr)
        handler.addFilter(RedactingFilter())
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    # Handlers configured before us (uvicorn's access log, rasa-sdk) get the filter too.
    loggers = [root, *(lg for lg in logging.root.manager.loggerDict.values() if isinstance(lg, logging.Logger))]
    for handler in {h for lg in loggers for h in lg.handlers}:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())


def get_logger(name: str | None = None) -> Any:
    return structlog.get_logger(name)
