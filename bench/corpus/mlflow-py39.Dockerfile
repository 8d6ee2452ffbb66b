FROM python:3.9-slim
ARG MLFLOW_VERSION=2.14.1
RUN pip install --no-cache-dir mlflow==${MLFLOW_VERSION} boto3==1.34.131 psycopg2-binary==2.9.9
ENV MLFLOW_TRACKING_URI=http://mlflow:5000
EXPOSE 5000
CMD mlflow server --host 0.0.0.0 --port 5000 --backend-store-uri ${BACKEND_URI} --default-artifact-root s3://mlflow/
