# ParadeOps service image: `paradeops serve` on PostgreSQL (see compose.yaml).
#   docker build -t paradeops .
# Stage 1 builds the wheel from the sources; stage 2 installs the locked
# runtime dependencies (requirements.lock: every extra, no dev tools), then the
# wheel alone, and runs as an unprivileged user.

FROM python:3.11-slim AS build
WORKDIR /src
RUN pip install --no-cache-dir "build==1.6.1"
COPY pyproject.toml README.md LICENSE ./
COPY src ./src
RUN python -m build --wheel --outdir /dist .

FROM python:3.11-slim
# Noto fonts for charts with Cyrillic, Arabic and CJK names (the service draws
# the movement graph); without them such names show as boxes. Debian's
# versions follow the base image's release, so they are not pinned here.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-noto-core fonts-noto-cjk \
 && rm -rf /var/lib/apt/lists/*
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
COPY requirements.lock /tmp/requirements.lock
RUN pip install --no-cache-dir -r /tmp/requirements.lock && rm /tmp/requirements.lock
COPY --from=build /dist/*.whl /tmp/
RUN pip install --no-cache-dir --no-deps /tmp/paradeops-*.whl && rm /tmp/paradeops-*.whl
# A fixed uid, so that files mounted from the host (secrets, catalogues) can
# be given to it: chown 10001 FILE.
RUN useradd --uid 10001 --user-group --create-home --home-dir /var/lib/paradeops paradeops
USER 10001:10001
WORKDIR /var/lib/paradeops
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/login', timeout=2)"]
# The database URL comes from PARADEOPS_DATABASE, the signing key from
# PARADEOPS_SECRET_KEY (or a 0600 key file in the working folder).
CMD ["paradeops", "serve", "--host", "0.0.0.0", "--port", "8000"]
