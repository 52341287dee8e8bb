#!/bin/bash
# Issue 5 in `make check`: a real first boot and a resize. Builds the reference image with this
# tree's .deb (`make image`, cached) and runs VM scenarios 1 and 5 (tests/vm/run 1 5: qemu TCG,
# ~10 min); every scenario is `make check-vm`. tests/run runs this once, not per build flavour.
# MEMPROV_SKIP_VM=1 skips it (local iteration only; CI runs it).
# shellcheck disable=SC1091
source "$(dirname "$0")/../lib.sh"

[ "$(id -u)" = 0 ] || { skip "VM scenarios 1 and 5" "needs root (make image, qemu)"; exit 0; }
[ -z "${MEMPROV_SKIP_VM:-}" ] || { skip "VM scenarios 1 and 5" "MEMPROV_SKIP_VM is set"; exit 0; }
top=$(cd "$TESTS_DIR/.." && pwd)

t0=$(date +%s)
if ! make -s -C "$top" image >"$SCRATCH/make-image.log" 2>&1; then
        not_ok "make image"
        sed 's/^/# /' "$SCRATCH/make-image.log" | tail -n 30
        exit 1
fi
ok "make image ($(sed -n 's/^build-image: \(image [0-9a-f]*: .*\)/\1/p' "$SCRATCH/make-image.log" | tail -n 1))"
echo "# timing: make image: $(($(date +%s) - t0)) s"
# tests/vm/run prints ok/not ok per check (counted by tests/run) and its own summary, kept as
# a comment so that the only summary line is tests/run's.
"$top/tests/vm/run" 1 5 | sed 's/^\([0-9]* passed, [0-9]* failed\)$/# vm: \1/'
