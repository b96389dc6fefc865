"""Send Email: send one e-mail per item through an SMTP server."""
