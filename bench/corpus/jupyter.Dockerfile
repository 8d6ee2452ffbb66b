FROM jupyter/scipy-notebook:2023-10-20
USER root
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg libsm6 libxext6 \
    && apt-get clean && rm -rf /var/lib/apt/lists/*
USER ${NB_UID}
RUN pip install --no-cache-dir torch==2.1.0 transformers==4.35.0 datasets==2.14.6 \
    && fix-permissions "${CONDA_DIR}" \
    && fix-permissions "/home/${NB_USER}"
COPY --chown=${NB_UID}:${NB_GID} notebooks/ /home/jovyan/work/
