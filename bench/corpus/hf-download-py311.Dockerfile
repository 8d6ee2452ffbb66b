FROM python:3.11-slim
ARG HF_TOKEN
ENV HF_HOME=/models/hf TRANSFORMERS_OFFLINE=0
RUN pip install --no-cache-dir "huggingface_hub[cli]==0.23.4" transformers==4.41.2 \
    && huggingface-cli download sentence-transformers/all-MiniLM-L6-v2 --revision 8b3219a92973c328a8e22fadcfa821b5dc75636a --local-dir /models/minilm
WORKDIR /app
COPY server.py .
RUN useradd -m -u 1000 inference && chown -R inference /models
USER inference
EXPOSE 7860
HEALTHCHECK CMD python -c "import urllib.request as u; u.urlopen('http://localhost:7860/')"
CMD ["python", "server.py"]
