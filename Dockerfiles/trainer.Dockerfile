# streamml-trainer: trains the cricket score model and publishes it as a skops artifact.
# Build from the repository root:  docker build -f Dockerfiles/trainer.Dockerfile -t streamml-trainer .
# Every role image is built the same way (tests/k8s checks that the files differ only by role),
# so the build stage is shared by the layer cache.
ARG BASE_IMAGE=python:3.11.14-slim-bookworm

FROM ${BASE_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
COPY Dockerfiles/requirements.txt Dockerfiles/build-constraints.txt ./
# Wheels only: nothing is compiled, so the build stage needs no compiler either.
RUN python3 -m venv /opt/streamml \
    && /opt/streamml/bin/pip install --no-cache-dir --only-binary=:all: \
       -r requirements.txt \
    && /opt/streamml/bin/pip check
COPY pyproject.toml README.md ./
COPY services ./services
# The dependencies' own test suites (about 65 MB) are not needed to run.
RUN PIP_CONSTRAINT=/src/build-constraints.txt \
    /opt/streamml/bin/pip install --no-cache-dir --no-deps . \
    && /opt/streamml/bin/pip uninstall --yes pip \
    && find /opt/streamml -name '__pycache__' -prune -exec rm -rf {} + \
    && find /opt/streamml/lib -type d -name tests -prune -exec rm -rf {} +

FROM ${BASE_IMAGE}
LABEL org.opencontainers.image.title="streamml-trainer" \
      org.opencontainers.image.description="streamml trainer: trains the cricket score model and publishes it as a skops artifact" \
      org.opencontainers.image.licenses="Apache-2.0"
RUN groupadd --system --gid 10001 streamml \
    && useradd --system --uid 10001 --gid streamml --no-create-home \
       --home-dir /nonexistent --shell /usr/sbin/nologin streamml
COPY --from=build /opt/streamml /opt/streamml
# HOME and the temp dir point at /tmp: the pod mounts a writable emptyDir there and keeps
# the root filesystem read-only.
ENV PATH=/opt/streamml/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp \
    STREAMML_HTTP_PORT=8080
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["streamml", "trainer"]
