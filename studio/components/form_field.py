"""A labelled form field with its hint and its error, shared by the studio's forms.

The label is tied to its control (``html_for`` the control's id) so screen readers name
the control, and the error shows under it when the form's ``errors`` has its key.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

__all__ = ["field_error", "labelled_field"]


def field_error(errors: Any, key: str) -> rx.Component:
    """The error of ``key`` in the form state's ``errors`` dict var, when there is one."""
    return rx.cond(
        errors.contains(key),
        rx.text(errors[key], color="red", size="1", class_name="field-error", data_field=key),
    )


def labelled_field(
    errors: Any, key: str, label: str, control: rx.Component, control_id: str, hint: str = ""
) -> rx.Component:
    """``label`` (for the control whose id is ``control_id``), the control, the hint and
    the error of ``key``."""
    return rx.vstack(
        rx.text(label, size="2", weight="medium", as_="label", html_for=control_id),
        control,
        rx.text(hint, size="1", color_scheme="gray") if hint else rx.fragment(),
        field_error(errors, key),
        spacing="1",
        width="100%",
    )
