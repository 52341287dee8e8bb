#!/bin/bash
# Golden-tree tests (tests/golden/run): a fixture root and a sequence of commands, the exact
# output and tree after each. Offline (--root), a few seconds.
# shellcheck disable=SC1091
source "$(dirname "$0")/../lib.sh"
"$TESTS_DIR/golden/run" "$MEMPROV" "$DEFAULTS"
