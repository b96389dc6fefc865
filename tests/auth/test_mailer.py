"""Account mail without SMTP: a development server keeps the message (reset link included)
in a private file under the data dir and logs only where it is; production writes
nothing. The link never reaches the log."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest

from engine.auth.mailer import Mail, SmtpMailer
from engine.config import SecuritySettings

LINK = "https://aura.example/reset-password?token=s3cr3t-reset-token-abc"


def _mail() -> Mail:
    return Mail(to="ada@example.com", subject="Reset your AURA password",
                body=f"Open {LINK} within an hour.")


def test_development_mail_goes_to_a_private_file_not_the_log(
        data_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        SmtpMailer(SecuritySettings(smtp_host=None), "development").send(_mail())
    files = list((data_dir / "mail").glob("*.eml"))
    assert len(files) == 1
    assert LINK in files[0].read_text()
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert stat.S_IMODE((data_dir / "mail").stat().st_mode) == 0o700
    assert "s3cr3t-reset-token" not in caplog.text
    assert str(files[0]) in caplog.text


def test_production_without_smtp_writes_nothing_and_says_so(
        data_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        SmtpMailer(SecuritySettings(smtp_host=None), "production").send(_mail())
    assert not (data_dir / "mail").exists()
    assert "SMTP is not configured" in caplog.text
    assert "s3cr3t-reset-token" not in caplog.text
