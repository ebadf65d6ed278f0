"""Custom actions, run by rasa-sdk's ActionExecutor inside kiosk_api (kiosk_api/routes/actions.py)."""

from yibao.logging import install_record_redaction

install_record_redaction()  # the actions' own log records (rasa-sdk, our actions) are redacted too
