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

# shellcheck source=build/debian-package.sh
source "$(dirname "$0")/debian-package.sh"
install_debian_package "$package" "Fashion-MNIST (the four files ${files[*]} in $directory)"

if ! installed; then
    echo "error: $package is installed, but $directory lacks some of: ${files[*]}." >&2
    exit 1
fi
echo "Fashion-MNIST installed in $directory."
