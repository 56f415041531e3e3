"""``python -m imena.simulation --seed 1 --out DIR``."""

from __future__ import annotations

import sys

from .cli import main

sys.exit(main(sys.argv[1:]))
