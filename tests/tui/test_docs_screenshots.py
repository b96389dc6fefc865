"""The console's screenshot set: every screen (keys 1-7) and the help, at 80x24 and
120x40, dark and light, on the canned API. With ``AURA_DOCS_SCREENSHOTS=1`` the SVGs are
written to ``docs/screenshots/console/`` (how the committed set is refreshed), else to a
temporary folder; either way each key must show its screen and each picture no error.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.tui.test_snapshots import _app, _ready, _settle
from tui.screens.help import HelpScreen
from tui.widgets.nav_bar import SCREENS

pytestmark = pytest.mark.anyio

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "console"


def _text(svg: str) -> str:
    """The SVG's visible text, roughly (Textual writes spaces as &#160;)."""
    return svg.replace("&#160;", " ")


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"], ids=["dark", "light"])
@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_every_screen_is_pictured(tmp_path: Path, size: tuple[int, int],
                                        theme: str) -> None:
    out = DOCS if os.environ.get("AURA_DOCS_SCREENSHOTS") == "1" else tmp_path / "shots"
    out.mkdir(parents=True, exist_ok=True)
    tag = f"{size[0]}x{size[1]}-{theme.removeprefix('textual-')}"
    app = _app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await _ready(pilot)
        app.theme = theme
        shots: dict[str, str] = {}
        for key, (mode, title) in enumerate(SCREENS, 1):
            await pilot.press(str(key))
            await pilot.pause(0.6)  # the screen's first load from the canned API
            await _settle(app, pilot)
            assert app.current_mode == mode, f"key {key} did not show {title}"
            name = f"console-{key}-{mode}-{tag}.svg"
            app.save_screenshot(name, str(out))
            shots[title] = _text((out / name).read_text())
        await pilot.press("question_mark")
        await pilot.pause(0.3)
        assert isinstance(app.screen, HelpScreen)
        app.save_screenshot(f"console-help-{tag}.svg", str(out))
        shots["Everywhere"] = _text((out / f"console-help-{tag}.svg").read_text())
    for title, text in shots.items():
        assert title in text, f"the {title} picture does not show its screen"
        assert "Traceback" not in text, title
    assert "This screen: " in shots["Everywhere"]  # the help names the screen under it
