FROM python:3.9-slim
WORKDIR /worker
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 \
 && rm -rf /var/lib/apt/lists/*
COPY requirements/ requirements/
RUN pip install --no-cache-dir -r requirements/base.txt -r requirements/worker.txt
COPY tasks/ tasks/
COPY celeryconfig.py .
RUN groupadd -g 1500 celery && useradd -u 1500 -g celery celery
USER celery:celery
ENTRYPOINT ["celery", "-A", "tasks", "worker", "--loglevel=INFO", "--concurrency=2"]
