FROM tensorflow/tensorflow:2.15.0-gpu
WORKDIR /models
RUN pip install --no-cache-dir tensorflow-serving-api==2.15.0 pillow==10.3.0
COPY export/ /models/resnet/1/
COPY serve.py /app/serve.py
EXPOSE 8501
ENTRYPOINT ["python", "/app/serve.py"]
