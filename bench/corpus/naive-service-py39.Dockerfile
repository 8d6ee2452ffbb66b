FROM python:3.9
MAINTAINER data-team@example.org
RUN apt-get update
RUN apt-get install -y redis-server supervisor nginx
RUN pip install flask gunicorn redis celery
ADD . /app
WORKDIR /app
RUN cd /app && pip install -r requirements.txt
ENV AWS_SECRET_ACCESS_KEY=changeme
EXPOSE 80 6379
CMD service redis-server start && nginx && gunicorn -b 0.0.0.0:8000 app:app
