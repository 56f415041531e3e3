from __future__ import annotations

import os
import sys

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Every server (gunicorn, `imena serve`, runserver) loads this module: none may
# serve with DEBUG off on the public example SECRET_KEY or no ALLOWED_HOSTS.
from imena.core.deploy import config_problems  # noqa: E402

_problems = config_problems()
if _problems:
    sys.stderr.write(f"imena: refusing to serve: {_problems[0]}\n")
    # 3 is gunicorn's "worker failed to boot": the master stops, not retries.
    raise SystemExit(3)

application = get_wsgi_application()
