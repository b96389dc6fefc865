"""Account mail (password resets, invitations): SMTP when ``AURA_SMTP_HOST`` is set.

Without SMTP, in development the message (with its link) is written to a private file
(0600) under ``<data dir>/mail/`` so that a local user can still reset a password; the
log names the file but never shows the link (a reset link is a credential). In production
nothing is written, and the log says that mail is not configured.
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
import time
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from engine.config import SecuritySettings, private_dir, settings

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
                path = self._to_outbox(mail)
                log.warning("SMTP is not configured (AURA_SMTP_HOST); the mail %r to %s was "
                            "written to %s (readable by this user only)", mail.subject,
                            mail.to, path)
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

    @staticmethod
    def _to_outbox(mail: Mail) -> Path:
        """Writes ``mail`` to a new 0600 file in ``<data dir>/mail/``; returns its path."""
        folder = private_dir(settings().data_dir / "mail")
        path = folder / f"{time.time_ns()}.eml"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(f"To: {mail.to}\nSubject: {mail.subject}\n\n{mail.body}\n")
        return path

    def _deliver(self, smtp: smtplib.SMTP, msg: EmailMessage) -> None:
        if self.cfg.smtp_user:
            smtp.login(self.cfg.smtp_user, self.cfg.smtp_password or "")
        smtp.send_message(msg)
