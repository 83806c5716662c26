#!/usr/bin/env bash
# Builds a stand-in for the Dockerfile's python:3.11-slim base from Debian packages, for
# machines that cannot reach a container registry: debootstrap bookworm, Debian's python3.11
# in a venv at /opt/python whose bin/ comes first on PATH (as /usr/local/bin does in the
# official image: `python`, `pip`), imported into podman as IMAGE. The root file system is
# cached as a tarball under CACHE_DIR (git-ignored), so only the first run downloads it.
# Usage: build_base.sh IMAGE CACHE_DIR   (as root)
set -euo pipefail
image="$1"
cache="$2"
tarball="$cache/bookworm-python311.tar"
mkdir -p "$cache"
if [ ! -s "$tarball" ]; then
    root="$(mktemp -d)"
    trap 'rm -rf "$root"' EXIT
    debootstrap --variant=minbase \
        --include=python3.11,python3.11-venv,python3-pip,ca-certificates \
        bookworm "$root" http://deb.debian.org/debian >"$cache/debootstrap.log" 2>&1 \
        || { tail -20 "$cache/debootstrap.log"; exit 1; }
    chroot "$root" /usr/bin/python3.11 -m venv /opt/python
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
    tar -C "$root" -cf "$tarball.tmp" .
    mv "$tarball.tmp" "$tarball"
fi
podman import \
    --change 'ENV PATH=/opt/python/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    "$tarball" "$image" >/dev/null
