"""Send Email: one e-mail per item through an SMTP server, with attachments from binary data."""

from __future__ import annotations

from engine.sdk import CredentialSlot, Field, NodeSpec, Params, load_docs, ui


class SendEmailParams(Params):
    """Parameters of the Send Email node."""

    from_email: str = Field(description="The sender, e.g. 'Shop <shop@example.com>'.", min_length=3)
    to_email: str = Field(description="Recipients, separated by commas.", min_length=3)
    cc: str = Field("", description="Copy recipients, separated by commas.")
    bcc: str = Field("", description="Hidden recipients, separated by commas.")
    reply_to: str = Field("", description="The address replies go to (empty: the sender).")
    subject: str = Field("", description="The subject line.")
    text: str = Field("", description="The plain-text body.", json_schema_extra=ui("textarea"))
    html: str = Field(
        "",
        description="An HTML body (sent next to the text body; mail programs show one).",
        json_schema_extra=ui("code", language="html"),
    )
    attachments: str = Field(
        "",
        description="Binary properties of the item to attach, separated by commas "
        "(e.g. 'data, invoice').",
    )


SPEC = NodeSpec(
    type="core.send_email",
    version=1,
    title="Send Email",
    description="Send an e-mail per item through an SMTP server, with attachments.",
    category="Network",
    icon="mail",
    params=SendEmailParams,
    credentials=(
        CredentialSlot(
            "smtp", ("smtp",), required=True, description="The mail server that sends the messages."
        ),
    ),
    run="nodes.core.send_email.run:execute",
    docs=load_docs(__file__),
    tool=True,
)
