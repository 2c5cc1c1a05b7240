#!/usr/bin/env bash
# Installs PostgreSQL's server for the sweep-study tests (test/.../Sweep/StudyWorkerTests), which start a private server
# with initdb and pg_ctl from /usr/lib/postgresql/VERSION/bin on a temporary directory and a free port, and stop it.
# The Debian package postgresql; nothing is configured or started system-wide by the tests. Needs root and Debian's
# package archive. Does nothing when the server's programs are already there. .ci/run and the tests (when they find no
# server and run as root) call it.
#
#   sudo build/install-postgres.sh
set -euo pipefail

readonly package=postgresql

installed() {
    compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null
}

if installed; then
    echo "PostgreSQL's server is already installed: $(compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" | head -n 1)."
    exit 0
fi

if ! command -v apt-get >/dev/null; then
    echo "error: apt-get not found. The study tests need PostgreSQL's initdb and pg_ctl under /usr/lib/postgresql/VERSION/bin" \
         "(Debian's package $package); install PostgreSQL's server another way." >&2
    exit 1
fi

if [[ $EUID -ne 0 ]]; then
    echo "error: installing the Debian package $package needs root. Run: sudo $0" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
if ! apt-cache show "$package" >/dev/null 2>&1; then
    echo "Updating the package lists (apt-get update) ..."
    if ! apt-get update; then
        echo "error: 'apt-get update' failed; Debian's package archive must be reachable to install $package." >&2
        exit 1
    fi
fi

echo "Installing $package ..."
if ! apt-get install -y --no-install-recommends "$package"; then
    echo "error: 'apt-get install -y $package' failed (see above); it needs Debian's package archive." >&2
    exit 1
fi

if ! installed; then
    echo "error: $package is installed, but no /usr/lib/postgresql/*/bin/pg_ctl was found." >&2
    exit 1
fi
echo "PostgreSQL's server installed: $(compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" | head -n 1)."
