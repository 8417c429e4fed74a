"""Drive the app headlessly on the demo models and write the README's screenshots (SVG):
chat with a streamed answer, the meter near its cap, rankings, a tournament that disagrees, help;
at 80x24, the smallest terminal modeltui is made for.
Run: python screenshots/make_screenshots.py  (uses a throwaway data dir; no keys, no network)."""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parent
SIZE = (80, 24)


async def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    os.environ["MODELTUI_DATA_DIR"] = str(tmp / "data")
    os.environ["MODELTUI_CONFIG"] = str(tmp / "config.toml")
    (tmp / "config.toml").write_text('ollama_url = "http://127.0.0.1:9"\n')
    for var in [v for v in os.environ if v.endswith("_API_KEY")]:
        del os.environ[var]
    from modeltui.settings import config
    from modeltui.ui.app import ModeltuiApp

    cfg = config.load()
    cfg.ollama_url = "http://127.0.0.1:9"
    cfg.demo.speed = 4.0
    app = ModeltuiApp(cfg)
    async with app.run_test(size=SIZE) as pilot:
        await app.ready.wait()
        app.sub_title = "session demo"

        async def ask(text: str) -> None:
            app.chat.query_one("#prompt").insert(text)
            await pilot.press("ctrl+s")
            await app.workers.wait_for_complete()
            await pilot.pause(0.3)

        await ask("Write a short summary of why caching LLM answers saves money")
        await ask("What is 17*23?")
        app.save_screenshot(str(OUT / "chat.svg"))

        fig = await app.engine.ledger.figures()
        app.engine.ledger.budget.monthly_usd = app.cfg.budget.monthly_usd = round(fig.month_usd / 0.86, 6)
        await app.chat.refresh_meter()
        await pilot.press("ctrl+o")
        await pilot.pause(0.3)
        app.save_screenshot(str(OUT / "meter-near-cap.svg"))
        app.engine.ledger.budget.monthly_usd = app.cfg.budget.monthly_usd = None
        await pilot.press("ctrl+o")

        for vote in ("b", "c"):
            await pilot.press("f6")
            app.screen.query_one("Input").value = "What is 17*23?"
            await pilot.press("enter")
            await app.workers.wait_for_complete()
            await pilot.pause(0.3)
            if vote == "c":
                app.save_screenshot(str(OUT / "tournament.svg"))
            await pilot.press(vote)
            await pilot.press("escape")
        await pilot.press("f7")
        await pilot.pause(0.5)
        app.save_screenshot(str(OUT / "rankings.svg"))
        await pilot.press("escape", "f1")
        await pilot.pause(0.3)
        app.save_screenshot(str(OUT / "help.svg"))
    print(f"wrote {', '.join(p.name for p in sorted(OUT.glob('*.svg')))} to {OUT}")


if __name__ == "__main__":
    asyncio.run(main())
