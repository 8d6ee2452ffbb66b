FROM python:3.10-slim
WORKDIR /app
RUN apt-get update && apt-get install -y gcc make && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt \
    && python -m spacy download en_core_web_sm
COPY . .
EXPOSE 8002
CMD python nlp_service.py
