# Imena's production image: Debian 12 (bookworm) slim with Python 3.11.
# Installs through scripts/setup.sh and starts `imena serve` (gunicorn +
# WhiteNoise), the same path the test suite starts (imena/core/tests/test_serve.py).
# docs/deploy.md: building, running with compose.yaml, TLS in front, variables.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/app/.venv/bin:$PATH \
    IMENA_DATA_DIR=/var/lib/imena \
    IMENA_EVIDENCE_ROOT=/var/lib/imena/evidence \
    IMENA_STATIC_ROOT=/var/lib/imena/static \
    IMENA_AUDIT_ANCHOR_DIR=/var/lib/imena/audit-anchors \
    IMENA_BIND=0.0.0.0:8000

WORKDIR /app
COPY . /app

# As root: Debian packages (gettext, fonts, PostgreSQL client for backups) and
# the virtualenv; then a system user that owns only the data folder.
RUN bash scripts/setup.sh --server \
    && rm -rf /var/lib/apt/lists/* /root/.cache \
    && groupadd --system --gid 10001 imena \
    && useradd --system --uid 10001 --gid imena --home-dir /var/lib/imena \
       --shell /usr/sbin/nologin imena \
    && mkdir -p /var/lib/imena/evidence /var/lib/imena/static /var/lib/imena/backups \
    && chown -R imena:imena /var/lib/imena \
    && chmod 0750 /var/lib/imena

USER imena
EXPOSE 8000

# The probe sends an allowed Host (keep localhost in ALLOWED_HOSTS); /healthz is
# exempt from the HTTPS redirect.
HEALTHCHECK --interval=30s --timeout=5s --start-period=90s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request as u; r = u.urlopen(u.Request('http://127.0.0.1:8000/healthz', headers={'Host': 'localhost'}), timeout=4); sys.exit(r.status != 200)"]

ENTRYPOINT ["/app/scripts/container-start.sh"]
CMD ["serve"]
