#!/usr/bin/env python
"""Django's command-line utility; `imena` is the same with our sub-commands."""

from __future__ import annotations

import sys

from imena.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
