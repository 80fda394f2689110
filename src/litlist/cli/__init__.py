"""The `litlist` command line: options in, services called, renderer chosen, errors reported.

`_app.py` holds the app and what commands share; each other module here is one job:
`find` (show, search), `info` (topics, venues, check), `export` (BibTeX), `edit` (init,
add, import), `curate` (note, edit, move, rm, mark). Commands stay thin: load → select → render.
"""

# Importing a command module registers its commands; --help lists them in this order.
from litlist.cli import find  # noqa: F401, I001
from litlist.cli import info  # noqa: F401
from litlist.cli import export  # noqa: F401
from litlist.cli import edit  # noqa: F401
from litlist.cli import curate  # noqa: F401
from litlist.cli._app import app

__all__ = ["app", "main"]


def main() -> None:
    """Console-script entry point."""
    app()
