#!/bin/bash
# units/memprov.service passes systemd-analyze verify (with ExecStart pointing at the build).
source "$(dirname "$0")/../lib.sh"

UNIT=$TESTS_DIR/../units/memprov.service
mkdir -p "$SCRATCH/units"
sed "s|^ExecStart=/usr/sbin/memprov|ExecStart=$MEMPROV|" "$UNIT" >"$SCRATCH/units/memprov.service"
out=$(cd "$SCRATCH/units" && SYSTEMD_LOG_LEVEL=warning systemd-analyze verify \
        --man=no memprov.service 2>&1)
check "memprov.service: systemd-analyze verify" test $? -eq 0
check_eq "memprov.service: no warnings" "$(grep -c memprov.service <<<"$out")" 0
[ -z "$out" ] || echo "$out"
check "memprov.service: before sysinit.target" grep -qx 'Before=sysinit.target shutdown.target' "$UNIT"
check "memprov.service: after both cloud-init names" \
        grep -q '^After=.*cloud-init.service cloud-init-network.service' "$UNIT"
check "memprov.service: no default dependencies (no cycle with sysinit.target)" \
        grep -qx 'DefaultDependencies=no' "$UNIT"
# Control: verify does catch a broken unit here, so the pass above means something.
sed 's|^ExecStart=.*|ExecStart=/nonexistent/memprov|' "$UNIT" >"$SCRATCH/units/broken.service"
check_fails "control: a broken unit fails verify" \
        bash -c "cd '$SCRATCH/units' && systemd-analyze verify --man=no broken.service"
