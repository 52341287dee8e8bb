#!/bin/bash
# The man pages render without groff warnings (memprov.conf(5)'s key list against the code is
# a unit test: tests/unit/test-conf-man.c), and memprov(8) points to memprov.conf(5).
source "$(dirname "$0")/../lib.sh"
MAN=$TESTS_DIR/../man
if ! command -v man >/dev/null; then
        skip "man pages render" "no man"
        exit 0
fi
for page in memprov.8 memprov.conf.5; do
        warnings=$(MANWIDTH=80 man --warnings -l "$MAN/$page" 2>&1 >/dev/null)
        check_eq "$page renders without warnings" "$warnings" ""
done
check "memprov(8) names memprov.conf(5)" grep -q '^\.BR memprov.conf (5)' "$MAN/memprov.8"
check "memprov.conf(5) documents [swap] zswap" \
        bash -c "MANWIDTH=80 man -l '$MAN/memprov.conf.5' 2>/dev/null | grep -q 'zswap'"
exit $T_FAILED
