#!/usr/bin/env bash
# The folder dependency matrix of src/Microsoft.ML.Dvn from its type references; fails on a cycle between folders.
# See build/deps.py for what counts as a reference.
exec python3 "$(dirname "$0")/deps.py" "$@"
