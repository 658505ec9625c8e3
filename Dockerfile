# responses-conformance in a container, for CI systems without Python:
#   docker build -t responses-conformance .
#   docker run --rm --user "$(id -u):$(id -g)" -v "$PWD:/work" responses-conformance validate captures/
#   docker run --rm --network host responses-conformance check --base-url http://127.0.0.1:8000/v1
FROM python:3.12-slim

LABEL org.opencontainers.image.title="responses-conformance" \
      org.opencontainers.image.description="Conformance validator for streaming Responses API events" \
      org.opencontainers.image.version="0.1.0" \
      org.opencontainers.image.licenses="Apache-2.0"

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1

# Only what the wheel is built from (see .dockerignore), then nothing of the sources is kept.
COPY pyproject.toml README.md LICENSE /tmp/src/
COPY validator /tmp/src/validator
COPY schemas /tmp/src/schemas
RUN pip install "/tmp/src[live]" && rm -rf /tmp/src

WORKDIR /work
ENTRYPOINT ["responses-conformance"]
CMD ["--help"]
