# Sourced by build/install-data.sh and build/install-postgres.sh: installs one Debian package with apt-get from the
# machine's configured archive, refreshing the package lists only when they do not know the package yet.
#   install_debian_package PACKAGE "what it is for (for messages)"
# Its locals have names of their own: the scripts that source it declare `readonly package`, and a `local` of the
# same name fails ("local: package: readonly variable") before anything is installed.
install_debian_package() {
    local deb=$1 purpose=$2
    if ! command -v apt-get >/dev/null; then
        echo "error: apt-get not found. $purpose comes from the Debian package $deb; install it another way." >&2
        return 1
    fi
    if [[ $EUID -ne 0 ]]; then
        echo "error: installing the Debian package $deb needs root. Run: sudo $0" >&2
        return 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-cache show "$deb" >/dev/null 2>&1; then
        echo "Updating the package lists (apt-get update) ..."
        if ! apt-get update; then
            echo "error: 'apt-get update' failed; Debian's package archive must be reachable to install $deb." >&2
            return 1
        fi
    fi
    echo "Installing $deb ..."
    if ! apt-get install -y --no-install-recommends "$deb"; then
        echo "error: 'apt-get install -y $deb' failed (see above); it needs Debian's package archive." >&2
        return 1
    fi
}
