"""Account mail (password resets, invitations): SMTP when ``AURA_SMTP_HOST`` is set.

Without SMTP, in development the message (with its link) is written to the log so that
a local user can still reset a password; in production it is not (a reset link in a log
is a credential), and the log says that mail is not configured.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

from engine.config import SecuritySettings

__all__ = ["Mail", "Mailer", "SmtpMailer"]

log = logging.getLogger("engine.auth.mail")


@dataclass(frozen=True)
class Mail:
    """One message."""

    to: str
    subject: str
    body: str


class Mailer(Protocol):
    """Sends account mail; tests substitute a list-collecting one."""

    def send(self, mail: Mail) -> None: ...


class SmtpMailer:
    """Sends by SMTP when configured, else logs (development) or warns (production)."""

    def __init__(self, security: SecuritySettings, env: str = "development") -> None:
        self.cfg = security
        self.env = env

    def send(self, mail: Mail) -> None:
        cfg = self.cfg
        if not cfg.smtp_host:
            if self.env == "development":
                log.warning("SMTP is not configured (AURA_SMTP_HOST); mail to %s:\n"
                            "Subject: %s\n\n%s", mail.to, mail.subject, mail.body)
            else:
                log.error("SMTP is not configured (AURA_SMTP_HOST): could not send %r to "
                          "%s", mail.subject, mail.to)
            return
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = cfg.smtp_from, mail.to, mail.subject
        msg.set_content(mail.body)
        context = ssl.create_default_context()
        try:
            if cfg.smtp_tls == "ssl":
                with smtplib.SMTP_SSL(cfg.smtp_host, cfg.smtp_port, timeout=15,
                                      context=context) as smtp:
                    self._deliver(smtp, msg)
            else:
                with smtplib.SMTP(cfg.smtp_host, cfg.smtp_port, timeout=15) as smtp:
                    smtp.ehlo()
                    if cfg.smtp_tls == "starttls":
                        smtp.starttls(context=context)
                        smtp.ehlo()
                    self._deliver(smtp, msg)
        except (OSError, smtplib.SMTPException) as exc:
            # never fail the request (and never reveal whether the address exists)
            log.error("could not send %r to %s: %s", mail.subject, mail.to, exc)

    def _deliver(self, smtp: smtplib.SMTP, msg: EmailMessage) -> None:
        if self.cfg.smtp_user:
            smtp.login(self.cfg.smtp_user, self.cfg.smtp_password or "")
        smtp.send_message(msg)
