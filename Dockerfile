# The ml-efficiency-gate Action image. The runner builds it from this file (action.yml:
# `runs.image: Dockerfile`). Everything is pinned: the base image by digest, git by version,
# Python packages by hash. tests/test_dockerfile.py replays the installs and the ENTRYPOINT
# in a fresh virtualenv, so this file and the tested code cannot drift apart.
FROM python:3.11-slim-bookworm@sha256:2e32f7d302adc1c37428355c1e646897c0c53f4fd60b6a551245fb90ee129f91

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# git: the gate reads the base model with `git show` and finds changed models with `git diff`.
RUN apt-get update \
    && apt-get install -y --no-install-recommends git=1:2.39.5-0+deb12u3 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/mlgate
COPY requirements/build.lock requirements/runtime.lock requirements/
RUN pip install --require-hashes -r requirements/build.lock \
    && pip install --require-hashes -r requirements/runtime.lock
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install --no-deps --no-build-isolation .

# Exec form: the runner appends nothing, inputs arrive as INPUT_* variables.
ENTRYPOINT ["mlgate-action"]
