# The bot's image, in two stages: the builder installs the locked dependencies (requirements/runtime.txt, hashes
# checked) and then the project, without dependencies, into a venv; the runtime stage copies only that venv, so
# no compiler, pip cache or source tree ships. It runs as a non-root user and reports its health from /healthz,
# which every mode serves. Run it with compose.yaml (README, "Deploying"), or alone:
#   docker run -e NIK_ENCRYPTION_KEY=... -e TELEGRAM_BOT_TOKEN=... -v sahabat-data:/app/data IMAGE
# The NIK key comes from the environment (a secret store), never from a file inside the image. Without a channel
# and without a terminal (no -it) the bot stops with one line saying so, exit code 78.
FROM python:3.11-slim AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src
# The lock first: this layer is rebuilt only when the dependencies change, not on every code change.
COPY requirements/runtime.txt requirements/runtime.txt
RUN pip install --require-hashes -r requirements/runtime.txt
COPY pyproject.toml README.md ./
COPY bot bot
COPY handlers handlers
COPY models models
COPY jobs jobs
COPY documents documents
COPY services services
COPY web web
COPY locales locales
# Then, away from the source tree, the installed package must find its own catalogs (package data).
RUN pip install --no-deps . \
    && cd / && python -c "from bot.engine.i18n import SUPPORTED_LOCALES, Catalogs; Catalogs(SUPPORTED_LOCALES, 'id')"

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    DATABASE_URL=sqlite+aiosqlite:////app/data/sahabat_kerja.db \
    WEB_HOST=0.0.0.0 \
    WEB_PORT=8080

RUN useradd --create-home --uid 10001 sahabat \
    && mkdir -m 0700 -p /app/data \
    && chown sahabat /app/data
COPY --from=builder /opt/venv /opt/venv

WORKDIR /app
USER 10001
VOLUME ["/app/data"]
EXPOSE 8080
# No curl in the slim image: the venv's Python asks /healthz on the port the bot listens on.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('WEB_PORT', '8080') + '/healthz', timeout=4)"]
CMD ["python", "-m", "bot", "run"]
