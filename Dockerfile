# syntax=docker/dockerfile:1
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY app ./app
COPY alembic ./alembic
RUN pip install --no-cache-dir --prefix=/install .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 zhiben
COPY --from=build /install /usr/local
WORKDIR /srv/zhiben
RUN mkdir -p var && chown zhiben:zhiben var
USER zhiben
ENV ZHIBEN_ENV=production ZHIBEN_VAR_DIR=/srv/zhiben/var PYTHONUNBUFFERED=1
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz').status==200 else 1)"
CMD ["zhiben", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
