FROM python:3.11-slim

WORKDIR /app

RUN apt-get update && apt-get install -y \
    default-mysql-client \
    default-libmysqlclient-dev \
    redis-server \
    gcc \
    make \
    ffmpeg \
    && rm -rf /var/lib/apt/lists/*

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt \
    && python -m spacy download en_core_web_md

COPY . .

EXPOSE 8002 6379

HEALTHCHECK CMD redis-cli ping || exit 1

CMD redis-server --daemonize yes && \
    echo "Redis started..." && \
    python Integration.py
