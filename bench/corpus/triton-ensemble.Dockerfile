FROM nvcr.io/nvidia/tritonserver:24.05-py3
COPY model_repository/ /models/
RUN pip install --no-cache-dir transformers==4.41.2 sentencepiece==0.2.0
ENV HF_HOME=/opt/hf
RUN python3 -c "from transformers import AutoTokenizer; AutoTokenizer.from_pretrained('bert-base-uncased', revision='86b5e0934494bd15c9632b12f734a8a67f723594')"
EXPOSE 8000 8001 8002
HEALTHCHECK --start-period=60s CMD curl -sf localhost:8000/v2/health/ready || exit 1
CMD ["tritonserver", "--model-repository=/models", "--strict-model-config=false"]
