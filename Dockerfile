# Build: docker build -t climabot .   Run: docker run -e CLIMABOT_DISCORD__TOKEN=... -v climabot-data:/data climabot
FROM python:3.11-slim AS build
RUN python -m venv /opt/venv
COPY pyproject.toml README.md /src/
COPY bot /src/bot
COPY cogs /src/cogs
COPY storage /src/storage
RUN /opt/venv/bin/pip install --no-cache-dir /src

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
CMD ["climabot", "run"]
