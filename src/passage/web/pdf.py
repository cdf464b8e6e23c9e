"""The printable plan as a PDF (WeasyPrint), with DejaVu fonts embedded for Cyrillic.

The URL fetcher refuses every URL but the bundled font files, so rendering never makes a network request
(SECURITY-TESTS item 19: no SSRF through the PDF renderer).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")  # Debian package fonts-dejavu-core
FONTS = {"DejaVuSans.ttf", "DejaVuSans-Bold.ttf"}
PDF_CSS = Path(__file__).with_name("static") / "pdf.css"


class LocalFontsOnly(URLFetcher):  # weasyprint ships no type hints
    """Fetches the DejaVu font files and nothing else: every other URL (http, data, other files) fails."""

    def fetch(self, url: str, headers: Any = None) -> Any:
        allowed = {(FONT_DIR / name).as_uri() for name in FONTS}
        if url not in allowed:
            raise ValueError("passage: the PDF renderer fetches only its bundled fonts")
        return super().fetch(url, headers)


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    """`template` rendered with `context`, as a PDF in the plan's style, fetching nothing but the fonts."""
    css = PDF_CSS.read_text(encoding="utf-8").replace("FONT_DIR", FONT_DIR.as_uri())
    html = render_to_string(template, context)
    fetcher = LocalFontsOnly()
    stylesheet = CSS(string=css, base_url=FONT_DIR.as_uri() + "/", url_fetcher=fetcher)
    document = HTML(string=html, base_url=FONT_DIR.as_uri() + "/", url_fetcher=fetcher)
    return bytes(document.write_pdf(stylesheets=[stylesheet]))


def render_plan_pdf(context: dict[str, Any]) -> bytes:
    return render_pdf("passage/plan_pdf.html", context)
