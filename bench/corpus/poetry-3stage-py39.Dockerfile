FROM python:3.9-slim-bookworm AS base
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=off \
    POETRY_VERSION=1.8.3 \
    POETRY_HOME="/opt/poetry" \
    POETRY_VIRTUALENVS_IN_PROJECT=true \
    POETRY_NO_INTERACTION=1
ENV PATH="$POETRY_HOME/bin:$PATH"

FROM base AS deps
RUN apt-get update \
    && apt-get install --no-install-recommends -y curl build-essential \
    && rm -rf /var/lib/apt/lists/*
RUN curl -sSL https://install.python-poetry.org | python -
WORKDIR /opt/app
COPY poetry.lock pyproject.toml ./
RUN poetry install --only main --no-root

FROM base AS runtime
WORKDIR /opt/app
COPY --from=deps /opt/app/.venv /opt/app/.venv
ENV PATH="/opt/app/.venv/bin:$PATH"
COPY src/ ./src/
RUN useradd -u 1001 -m svc
USER svc
EXPOSE 8000
CMD ["python", "-m", "src.server"]
