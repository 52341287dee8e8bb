#!/bin/bash
# An unprivileged container (issue 22): `systemd-nspawn -U --private-users=pick` boots the
# reference image in a user namespace, as LXC's unprivileged containers run (container root is
# an unprivileged host UID, checked in uid_map), in a 512M memory cgroup with a swap limit of 0
# (v1 memory.memsw.limit_in_bytes = memory.limit_in_bytes, v2 memory.swap.max = 0): memprov's
# notes and budget must show no swap; and a CPU quota of half a CPU (v1 cpu.cfs_quota_us 50000
# over cpu.cfs_period_us 100000, v2 cpu.max "50000 100000"): memprov's PHP cpu bound counts 1
# vCPU. The image's files are chowned into the picked range
# (--private-users-ownership=chown) on a metacopy overlay: idmapped mounts are not available
# on every host (nspawn 252 on this Docker host: "ID mapped mounts are apparently not
# available"). ~25 s, so not in `make check`.
source "$(dirname "$0")/../lib.sh"
enter_mount_namespace "$@"
source "$(dirname "$0")/../container-lib.sh"

command -v systemd-nspawn >/dev/null || { skip "container" "no systemd-nspawn (apt install systemd-container)"; exit 0; }
container_can_run || exit 0
QUOTA=50000 nspawn_boot userns 0 -U --private-users=pick --private-users-ownership=chown
check "userns: container root is not host root" \
        awk 'NR == 1 && $1 == 0 && $2 != 0 {ok = 1} END {exit !ok}' "$SCRATCH/userns/report/uid_map"
exit "${T_FAILED:-0}"
