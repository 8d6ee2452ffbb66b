# syntax=docker/dockerfile:1.4
FROM python:3.9-slim
WORKDIR /job
RUN <<EOF
set -eux
apt-get update
apt-get install -y --no-install-recommends git
rm -rf /var/lib/apt/lists/*
EOF
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY <<EOF /job/config.yaml
epochs: 10
batch_size: 64
lr: 0.001
EOF
COPY train.py .
RUN <<EOF bash
set -euo pipefail
python -c "import torch; print(torch.__version__)"
mkdir -p /job/out
EOF
ENV PYTHONUNBUFFERED=1
CMD ["python", "train.py", "--config", "config.yaml"]
