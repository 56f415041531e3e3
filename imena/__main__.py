from __future__ import annotations

import sys

from imena.cli import main

sys.exit(main())
