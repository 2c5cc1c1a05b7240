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

# shellcheck source=build/debian-package.sh
source "$(dirname "$0")/debian-package.sh"
install_debian_package "$package" "PostgreSQL's server (initdb and pg_ctl under /usr/lib/postgresql/VERSION/bin)"

if ! installed; then
    echo "error: $package is installed, but no /usr/lib/postgresql/*/bin/pg_ctl was found." >&2
    exit 1
fi
echo "PostgreSQL's server installed: $(compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" | head -n 1)."
