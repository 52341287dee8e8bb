#!/bin/bash
# A real container (issue 22): systemd-nspawn boots the reference image (tests/container-lib.sh)
# privileged, in a 512M memory cgroup, the swap the host's. memprov.service must succeed with no
# swapfile attempted, the services must get the 512M tier and run, and no unit may fail. The
# unprivileged (user namespace) and LXC containers are `make check-container` (tests/container/).
source "$(dirname "$0")/../lib.sh"
enter_mount_namespace "$@"
source "$(dirname "$0")/../container-lib.sh"

command -v systemd-nspawn >/dev/null || { skip "container" "no systemd-nspawn (apt install systemd-container)"; exit 0; }
container_can_run || exit 0
nspawn_boot privileged host
exit "${T_FAILED:-0}"
