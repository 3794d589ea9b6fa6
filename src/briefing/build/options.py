"""What a caller asks a build for, and the defaults the command line and the library share.

``Options`` is a request (the CLI maps its flags onto it one to one); the pipeline combines it
with ``book.yaml`` and the previous edition into a frozen ``render.edition.Edition``. The CLI's
flags read their defaults from here, so they are written once: keep this module's imports light,
the command line loads it as it starts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from briefing.render.variants import FULL

DATA_DIR = Path("data")
OUT_DIR = Path("output")
TIMEOUT = 120.0  # seconds before a hung render is stopped
MAX_SEND_MB = 20.0  # largest total of attachments per message (`briefing send --max-size`)


@dataclass(frozen=True)
class Options:
    """A build request; ``None`` means "as book.yaml says"."""

    data_dir: Path = DATA_DIR
    out_dir: Path = OUT_DIR
    slugs: list[str] = field(default_factory=list)
    sponsors: bool = True  # per-sponsor PDFs
    book: bool = True
    recipients: str | None = None  # None, "all" or an email: personalised editions
    page_size: str | None = None
    variant: str = FULL.name  # a name in render.variants.VARIANTS
    pdf_variant: str | None = None  # PDF_VARIANTS; None = book.yaml's `pdf_variant`
    jobs: int = 0  # 0 = number of cores
    timeout: float = TIMEOUT
    force: bool = False
    strict: bool = False  # preflight findings fail the build (scheduled runs)
    audience: str | None = None  # a level's sponsor PDFs and book, under OUT/levels/LEVEL/; None: the base level
    # the process builds once and ends (the `build` command): it forks a worker as it starts, which
    # imports WeasyPrint while the data is read (processes.Held); one that builds again (serve, watch)
    # warms WeasyPrint once for every later worker instead
    once: bool = False
