FROM ghcr.io/astral-sh/uv:0.4.20 AS uv
FROM python:3.11-slim AS build
COPY --from=uv /uv /bin/uv
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy
WORKDIR /app
RUN --mount=type=cache,target=/root/.cache/uv \
    --mount=type=bind,source=uv.lock,target=uv.lock \
    --mount=type=bind,source=pyproject.toml,target=pyproject.toml \
    uv sync --frozen --no-install-project --no-dev
COPY . /app
RUN --mount=type=cache,target=/root/.cache/uv uv sync --frozen --no-dev

FROM python:3.11-slim
COPY --from=build /app /app
ENV PATH="/app/.venv/bin:$PATH"
WORKDIR /app
USER 65532
CMD ["fastapi", "run", "src/app/main.py", "--port", "80"]
