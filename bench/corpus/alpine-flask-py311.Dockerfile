FROM python:3.11-alpine
RUN apk add --no-cache --virtual .build-deps gcc musl-dev libffi-dev \
    && apk add --no-cache libstdc++ \
    && pip install --no-cache-dir flask==3.0.3 gunicorn==22.0.0 numpy==1.26.4 \
    && apk del .build-deps
WORKDIR /app
COPY . .
RUN adduser -D -u 1000 web
USER web
EXPOSE 5000
HEALTHCHECK CMD wget -q --spider http://127.0.0.1:5000/ping || exit 1
CMD ["gunicorn", "-w", "2", "-b", "0.0.0.0:5000", "wsgi:app"]
