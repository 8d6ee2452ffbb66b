FROM ubuntu:22.04
ENV DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends \
        ca-certificates=20230311ubuntu0.22.04.1 \
        curl=7.81.0-1ubuntu1.16 \
        gnupg \
        python3 \
        python3-pip \
        python3-venv \
        libopenblas0 \
        liblapack3 \
        unzip; \
    curl -fsSL https://example.org/key.gpg | gpg --dearmor -o /usr/share/keyrings/example.gpg; \
    echo "deb [signed-by=/usr/share/keyrings/example.gpg] https://example.org/apt stable main" > /etc/apt/sources.list.d/example.list; \
    apt-get update; \
    apt-get install -y --no-install-recommends example-runtime; \
    python3 -m venv /opt/venv; \
    /opt/venv/bin/pip install --no-cache-dir --upgrade pip==24.0 setuptools==70.0.0 wheel==0.43.0; \
    curl -fsSLo /tmp/models.zip https://example.org/releases/v1.2/models.zip; \
    echo "0000000000000000000000000000000000000000000000000000000000000000  /tmp/models.zip" | sha256sum -c -; \
    unzip -q /tmp/models.zip -d /opt/models; \
    rm -rf /tmp/models.zip /var/lib/apt/lists/*
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /opt/app
COPY requirements.lock .
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY . .
RUN useradd --system --uid 999 svc && chown -R svc /opt/app
USER 999
CMD ["python3", "-u", "-m", "app"]
