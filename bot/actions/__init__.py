"""Custom actions served by ``python -m rasa_sdk --actions bot.actions``."""

from yibao.logging import install_record_redaction

install_record_redaction()  # the action server's own log records (rasa-sdk, our actions) are redacted too
