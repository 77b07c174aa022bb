"""What runs behind one browser tab: the Porch app, asking first whether to open or join.

`porch web` starts this module once per tab (before the tab asks: see
``tui.web.process``), with the small environment ``tui.web.process.tab_environment``
builds, under ``tui.web.driver.TabDriver`` (textual-serve's driver, with the tab's
size kept in order).
"""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="porch web (tab)")
    parser.add_argument("--relay", metavar="URL", default=None)
    args = parser.parse_args(argv)

    from tui.cli import quiet_textual

    quiet_textual()
    from tui.app import Plan, PorchApp
    from tui.web.driver import TabDriver

    app = PorchApp(Plan(relay_url=args.relay, choosing=True))
    app.driver_class = TabDriver
    app.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
