ARG BASE_IMAGE=python:3.9-slim
ARG REGISTRY=docker.io
FROM ${BASE_IMAGE} AS base
ARG APP_VERSION=0.0.0
LABEL org.opencontainers.image.version=$APP_VERSION
WORKDIR /app

FROM base AS test
COPY requirements-dev.txt .
RUN pip install --no-cache-dir -r requirements-dev.txt
COPY . .
RUN python -m pytest -q

FROM base AS final
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY src/ src/
ARG UID=10001
RUN adduser --system --uid ${UID} appuser
USER ${UID}
CMD ["python", "-m", "src"]
