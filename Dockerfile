# The ml-efficiency-gate Action image. Releases publish it (ghcr.io/org/ml-efficiency-gate,
# .github/workflows/release.yml) and action.yml runs the published image; the self-test
# builds it from this file. The base image is pinned by digest and Python packages by hash.
# Debian packages are not pinned by version: bookworm drops a superseded version from its
# mirrors (a security update to git would break every rebuild), so the digest pins the
# release and the installed versions are recorded in /usr/share/mlgate/debian-packages.txt.
# tests/test_action_definition.py replays the installs and the ENTRYPOINT in a fresh
# virtualenv; tests/container/test_image.py builds this file and runs the image as the
# runner does.
ARG BASE_IMAGE=python:3.11-slim-bookworm@sha256:2e32f7d302adc1c37428355c1e646897c0c53f4fd60b6a551245fb90ee129f91
FROM ${BASE_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# git: the gate reads the base model with `git show` and finds changed models with
# `git diff`; git-lfs: models stored in Git LFS are smudged from the LFS objects.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends git git-lfs \
    && mkdir -p /usr/share/mlgate \
    && dpkg-query -W git git-lfs > /usr/share/mlgate/debian-packages.txt \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/mlgate
COPY requirements/build.lock requirements/runtime.lock requirements/
# runtime.lock includes the `openvino` extra (OpenVINO and NNCF, for the variant search's
# other runtime and its int8): +272 MB installed (openvino 180, scikit-learn 51 via NNCF,
# networkx 19, nncf 8, the rest 14). Left out, as the gate never imports them: sympy and
# mpmath (only the optional transformer-fusion pass needs them, and it says so when they are
# missing), numpy's, scipy's and scikit-learn's own test suites and onnx's backend test data.
RUN pip install --require-hashes -r requirements/build.lock \
    && pip install --require-hashes -r requirements/runtime.lock \
    && pip uninstall -y sympy mpmath \
    && site="$(python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')" \
    && rm -rf "$site/onnx/backend/test/data" \
    && find "$site/numpy" "$site/scipy" "$site/sklearn" -depth -type d -name tests -exec rm -rf {} +
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install --no-deps --no-build-isolation .

# Exec form: the runner appends nothing, inputs arrive as INPUT_* variables.
ENTRYPOINT ["mlgate-action"]
