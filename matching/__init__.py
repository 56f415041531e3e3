"""Pure identification logic for Imena: AM/PM vocabulary, comparison, combination.

This package never imports Django or the ``imena`` apps; the Django side turns its
models into the plain records defined here.
"""

from __future__ import annotations
