"""What the browser is sent besides the app: the page's files, and every response's headers.

Every file comes from this computer: textual-serve's terminal (xterm.js in
``textual.js``), its style and font, and Porch's own page script and style. Nothing
is fetched from elsewhere, and the Content-Security-Policy says so to the browser.
"""

from __future__ import annotations

from pathlib import Path

import textual_serve

HERE = Path(__file__).parent
TEXTUAL_SERVE_STATIC = Path(textual_serve.__file__).parent / "static"

# Every file the page may load, by the one name it is served under.
STATIC_FILES: dict[str, Path] = {
    "textual.js": TEXTUAL_SERVE_STATIC / "js" / "textual.js",
    "xterm.css": TEXTUAL_SERVE_STATIC / "css" / "xterm.css",
    "RobotoMono-VariableFont_wght.ttf": TEXTUAL_SERVE_STATIC
    / "fonts"
    / "RobotoMono-VariableFont_wght.ttf",
    "porch.js": HERE / "static" / "porch.js",
    "porch.css": HERE / "static" / "porch.css",
}

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        # xterm.js sizes its rows with inline styles; no script may be inline.
        "style-src 'self' 'unsafe-inline'",
        "font-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'none'",
    )
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}

# textual.js loads xterm.js's WebGL renderer and then its canvas renderer, which takes
# over: the WebGL context (drawn in software where there is no GPU) is made for nothing,
# and costs the page's start. Porch serves the script without it (tested against the
# pinned textual-serve: the line is there exactly once).
WEBGL_RENDERER = b"this.webglAddon=new p.WebglAddon,this.terminal.loadAddon(this.webglAddon),"


def terminal_script() -> bytes:
    """textual-serve's terminal script, without the WebGL renderer it would throw away."""
    return STATIC_FILES["textual.js"].read_bytes().replace(WEBGL_RENDERER, b"", 1)
