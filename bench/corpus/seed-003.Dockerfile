# syntax=docker/dockerfile:1
FROM python:3.11-slim-bookworm AS deps-builder
ENV POETRY_VERSION=1.8.3
RUN pip install --no-cache-dir "poetry==${POETRY_VERSION}"
WORKDIR /build
COPY pyproject.toml poetry.lock ./
RUN poetry export -f requirements.txt -o requirements.txt --without-hashes

FROM python:3.11-slim-bookworm AS wheel-builder
WORKDIR /build
COPY --from=deps-builder /build/requirements.txt .
RUN apt-get update --fix-missing && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
COPY src/ ./src/
COPY pyproject.toml .
RUN pip wheel --no-cache-dir --wheel-dir /wheels -r requirements.txt .

FROM python:3.10-slim AS runtime
RUN useradd --create-home --uid 1000 appuser
WORKDIR /app
COPY --from=wheel-builder /wheels /wheels
RUN pip install --no-cache-dir /wheels/* && rm -rf /wheels
COPY --chown=appuser:appuser config.yaml ./config.yaml
USER appuser
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=10s --start-period=40s --retries=3 \
  CMD python -c "import requests; requests.get('http://localhost:8000/health')" || exit 1
CMD ["uvicorn", "ml_api_service:app", "--host", "0.0.0.0", "--port", "8000"]
