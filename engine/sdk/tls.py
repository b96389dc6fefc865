"""Client TLS for nodes and credential kinds that connect to database or mail servers.

One mode, as the credential forms offer it: ``disable`` (plain), ``require`` (encrypted,
the server's certificate not checked) or ``verify`` (encrypted, the certificate checked
against the host name and trusted CAs), plus optional PEM material: a CA certificate to
trust instead of the system's (a private CA or a self-signed server), and a client
certificate and key for servers that ask for one (mutual TLS).
"""

from __future__ import annotations

import os
import ssl
import tempfile

from engine.errors import CredentialError

__all__ = ["client_tls_context"]


def client_tls_context(
    mode: str | None,
    *,
    ca_pem: str | None = None,
    cert_pem: str | None = None,
    key_pem: str | None = None,
    what: str = "The credential",
) -> ssl.SSLContext | None:
    """The SSL context for ``mode`` (``None`` for ``disable``).

    Raises:
        CredentialError: the PEM text is not a certificate or key, or only one of the
            client certificate and key is given; the message says which field to fix.
    """
    mode = (mode or "disable").strip().lower()
    if mode in ("disable", "off", "false", ""):
        return None
    ca, cert, key = (ca_pem or "").strip(), (cert_pem or "").strip(), (key_pem or "").strip()
    if mode == "verify":
        try:
            context = ssl.create_default_context(cadata=ca or None)
        except (ssl.SSLError, ValueError) as exc:
            raise CredentialError(
                f"{what}'s CA certificate is not a PEM certificate ({exc}); paste the "
                "'-----BEGIN CERTIFICATE-----' block of the CA that signed the server's."
            ) from None
    else:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if cert or key:
        if not (cert and key):
            raise CredentialError(
                f"{what} has a client {'certificate' if cert else 'key'} but no "
                f"{'key' if cert else 'certificate'}: give both, or neither."
            )
        _load_client_pair(context, cert, key, what)
    return context


def _load_client_pair(context: ssl.SSLContext, cert: str, key: str, what: str) -> None:
    """``load_cert_chain`` reads files only: the PEM goes through a private temporary
    folder (mode 0700) that is removed at once."""
    with tempfile.TemporaryDirectory(prefix="aura-tls-") as folder:
        os.chmod(folder, 0o700)
        cert_path, key_path = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
        for path, text in ((cert_path, cert), (key_path, key)):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(text + "\n")
        try:
            context.load_cert_chain(cert_path, key_path)
        except (ssl.SSLError, ValueError, OSError) as exc:
            raise CredentialError(
                f"{what}'s client certificate and key do not load ({exc}): paste the "
                "certificate's PEM block and its unencrypted private key."
            ) from None
