#!/usr/bin/env bash
# Installs Fashion-MNIST for the samples' benchmark and Fashion-MNIST training: the Debian package
# dataset-fashion-mnist, which puts four gzip'd IDX files in /usr/share/datasets/fashion-mnist/.
# Needs root and Debian's package archive. Does nothing when the files are already there.
#
#   sudo build/install-data.sh
set -euo pipefail

readonly package=dataset-fashion-mnist
readonly directory=/usr/share/datasets/fashion-mnist
readonly files=(train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz)

installed() {
    local file
    for file in "${files[@]}"; do
        [[ -s "$directory/$file" ]] || return 1
    done
}

if installed; then
    echo "Fashion-MNIST is already installed in $directory."
    exit 0
fi

if ! command -v apt-get >/dev/null; then
    echo "error: apt-get not found. Fashion-MNIST comes from the Debian package $package; on a system without apt, put" \
         "the four files (${files[*]}) in $directory yourself." >&2
    exit 1
fi

if [[ $EUID -ne 0 ]]; then
    echo "error: installing the Debian package $package needs root. Run: sudo $0" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# Refresh the package lists only when they do not know the package yet (a fresh machine or container).
if ! apt-cache show "$package" >/dev/null 2>&1; then
    echo "Updating the package lists (apt-get update) ..."
    if ! apt-get update; then
        echo "error: 'apt-get update' failed; Debian's package archive must be reachable to install $package." >&2
        exit 1
    fi
fi

echo "Installing $package ..."
if ! apt-get install -y --no-install-recommends "$package"; then
    echo "error: 'apt-get install -y $package' failed (see above); it needs Debian's package archive (Debian 12 or newer)." >&2
    exit 1
fi

if ! installed; then
    echo "error: $package is installed, but $directory lacks some of: ${files[*]}." >&2
    exit 1
fi
echo "Fashion-MNIST installed in $directory."
