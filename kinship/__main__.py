"""``python -m kinship pairwise|joint CASE.json``."""

from __future__ import annotations

import sys

from kinship.cli import main

sys.exit(main(sys.argv[1:]))
