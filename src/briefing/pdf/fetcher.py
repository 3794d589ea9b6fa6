"""The only way WeasyPrint reads anything: files inside allowed folders, and charts in memory.

WeasyPrint fetches whatever a document names (stylesheets, fonts, images, SVG ``<image>``,
attachments), including ``file:///etc/passwd`` and cloud-metadata URLs. This fetcher resolves
real paths (so ``..``, ``%2e%2e`` and symlinks cannot escape), serves only regular files of
bounded size with known suffixes, and records every denial, because WeasyPrint swallows fetch
errors inside SVG and merely logs failed images: the build fails afterwards on any denial.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse

MAX_FILE = 25 * 1024 * 1024
MIME = {
    ".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg", ".ttf": "font/ttf", ".otf": "font/otf", ".woff": "font/woff",
    ".woff2": "font/woff2",
}


class SafeFetcher(URLFetcher):
    def __init__(self, roots: list[Path], charts: dict[str, str] | None = None,
                 overlays: Sequence[tuple[Path, Path]] = ()):
        """``overlays``: (project folder, package folder) pairs: a file the project's folder lacks is
        read from the package's, under the project's URL, so the files it names are looked up the
        same way (the project's first)."""
        super().__init__(allowed_protocols={"file", "chart"}, allow_redirects=False,
                         fail_on_errors=True)
        self.roots = [r.resolve() for r in roots]
        self.overlays = [(own.resolve(), shipped.resolve()) for own, shipped in overlays]
        self.charts = charts or {}
        self.denied: list[str] = []

    def _deny(self, url: str, why: str) -> None:
        self.denied.append(f"{url} ({why})")
        raise ValueError(f"refused: {url} ({why})")

    def fetch(self, url, headers=None):  # noqa: ANN001 - WeasyPrint's signature
        parts = urlsplit(url)
        if parts.scheme == "chart":
            svg = self.charts.get(parts.path)
            if svg is None:
                self._deny(url, "unknown chart")
            return URLFetcherResponse(url, svg.encode("utf-8"), {"Content-Type": "image/svg+xml"})
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            self._deny(url, "only project files may be read; no network")
        asked = Path(url2pathname(unquote(parts.path))).resolve()
        path = self._theme_file(asked)
        if not any(path.is_relative_to(root) for root in self.roots):
            self._deny(url, "outside templates/, assets/, data/, the build folder and the package's theme")
        if not path.is_file():
            self._deny(url, "not a regular file")
        if path.suffix.lower() not in MIME:
            self._deny(url, f"file type {path.suffix or '(none)'} is not allowed")
        if path.stat().st_size > MAX_FILE:
            self._deny(url, "file is larger than 25 MB")
        # a package file keeps the project's URL, so the relative URLs inside it resolve in the project
        return URLFetcherResponse(asked.as_uri(), path.read_bytes(), {"Content-Type": MIME[path.suffix.lower()]})

    def _theme_file(self, path: Path) -> Path:
        if path.exists():
            return path
        for own, shipped in self.overlays:
            if path.is_relative_to(own):
                return (shipped / path.relative_to(own)).resolve()
        return path
