# A slim image that runs the bot: `docker run -e NIK_ENCRYPTION_KEY=... -e DATABASE_URL=... IMAGE`.
# The NIK key must come from the environment (a secret store), never from a file inside the image.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATABASE_URL=sqlite+aiosqlite:////app/data/sahabat_kerja.db \
    WEB_HOST=0.0.0.0

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot bot
COPY handlers handlers
COPY models models
COPY jobs jobs
COPY documents documents
COPY services services
COPY web web
COPY locales locales
RUN pip install . \
    && useradd --create-home --uid 10001 sahabat \
    && mkdir -m 0700 -p /app/data \
    && chown sahabat /app/data

USER sahabat
VOLUME ["/app/data"]
EXPOSE 8080
CMD ["python", "-m", "bot", "run"]
