"""Keep private links out of log lines: the development server and proxies log request paths,
and a holder's path carries their token until the view trades it for a session."""

import logging
import re

PRIVATE_PATH = re.compile(r"(/mon-initiative/)[A-Za-z0-9_\-]+")
# The holder's answer to a support offer carries the token in its query string.
TOKEN_PARAMETER = re.compile(r"([?&]token=)[^&\s\"]+")


class RedactPrivateLinks(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/mon-initiative/" in message or "token=" in message:
            message = PRIVATE_PATH.sub(r"\1[redacted]", message)
            record.msg, record.args = TOKEN_PARAMETER.sub(r"\1[redacted]", message), ()
        return True


def install() -> None:
    """Attach the filter to the loggers that write request paths."""
    for name in ("django.server", "django.request", "gunicorn.access"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactPrivateLinks) for f in logger.filters):
            logger.addFilter(RedactPrivateLinks())
