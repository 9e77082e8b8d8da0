# Build: docker build -t climabot .   Run: docker compose up -d   (see compose.yaml and the README)
FROM python:3.11-slim AS build
RUN python -m venv /opt/venv
# Dependencies first, from the lock with hashes, so this layer is cached until the lock changes.
COPY requirements.lock /src/
RUN /opt/venv/bin/pip install --no-cache-dir --require-hashes -r /src/requirements.lock
COPY pyproject.toml README.md LICENSE /src/
COPY bot /src/bot
COPY cogs /src/cogs
COPY storage /src/storage
COPY sandbox /src/sandbox
# --no-deps: everything climabot needs came from the lock above.
RUN /opt/venv/bin/pip install --no-cache-dir --no-deps /src

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 climabot && mkdir -p /data && chown climabot:climabot /data
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    CLIMABOT_STORAGE__DATABASE_PATH=/data/climabot.sqlite3 \
    CLIMABOT_STORAGE__MEDIA_DIR=/data/media
USER climabot
WORKDIR /data
VOLUME /data
STOPSIGNAL SIGTERM
# Healthy while the bot is connected and its scheduler refreshes the heartbeat (every 30 s).
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 CMD ["climabot", "health"]
CMD ["climabot", "run"]
