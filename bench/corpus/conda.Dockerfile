FROM continuumio/miniconda3:24.4.0-0
WORKDIR /opt/project
COPY environment.yml .
RUN conda env create -f environment.yml && conda clean -afy
SHELL ["conda", "run", "-n", "ml", "/bin/bash", "-c"]
COPY . .
RUN python -m pip install --no-deps -e .
ENTRYPOINT ["conda", "run", "--no-capture-output", "-n", "ml", "python", "-m", "project.cli"]
