FROM python:3.10-slim
ENV PIP_NO_CACHE_DIR=1
WORKDIR /usr/src/app
ONBUILD COPY requirements.txt /usr/src/app/
ONBUILD RUN pip install -r requirements.txt
ONBUILD COPY . /usr/src/app
ONBUILD RUN python -m compileall -q .
CMD ["python3"]
