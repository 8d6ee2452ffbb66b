FROM python:3.10-slim AS wheels
RUN apt-get update && apt-get install -y --no-install-recommends gcc g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /wheels
COPY requirements.txt .
RUN pip wheel --no-cache-dir --wheel-dir /wheels -r requirements.txt

FROM python:3.10-slim
COPY --from=wheels /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links=/wheels /wheels/*.whl && rm -rf /wheels
WORKDIR /srv
COPY ./src /srv/src
RUN useradd -r -u 900 srv
USER srv
EXPOSE 9000
HEALTHCHECK CMD ["python", "-c", "import socket; socket.create_connection(('localhost', 9000), 2)"]
CMD ["python", "-m", "src.grpc_server"]
