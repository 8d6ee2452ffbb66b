ARG CUDA=12.1.1
FROM nvidia/cuda:${CUDA}-cudnn8-devel-ubuntu22.04 AS build
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update && apt-get install -y --no-install-recommends \
      python3.10 python3.10-venv python3-pip git ninja-build \
    && rm -rf /var/lib/apt/lists/*
RUN python3.10 -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
RUN pip install --no-cache-dir torch==2.3.1 torchvision==0.18.1 --index-url https://download.pytorch.org/whl/cu121
WORKDIR /workspace
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY csrc/ csrc/
COPY setup.py .
RUN TORCH_CUDA_ARCH_LIST="8.0;8.6;9.0" pip install --no-cache-dir --no-build-isolation .

FROM nvidia/cuda:${CUDA}-cudnn8-runtime-ubuntu22.04
RUN apt-get update && apt-get install -y --no-install-recommends python3.10 libgl1 \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH NVIDIA_VISIBLE_DEVICES=all
WORKDIR /app
COPY serve/ ./serve/
USER 1000
EXPOSE 8000
CMD ["python3", "-m", "serve.main"]
