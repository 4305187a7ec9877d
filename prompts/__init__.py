"""The controller's prompts and few-shot programs: data files shipped inside the package.

``PROMPTS_DIR`` is this folder wherever visreason is installed (a checkout, an editable install or
a wheel); the files are package data (pyproject.toml), so an installed wheel carries them.
"""

from __future__ import annotations

from pathlib import Path

PROMPTS_DIR = Path(__file__).resolve().parent
