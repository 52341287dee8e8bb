# shellcheck shell=bash
# Helpers for integration tests: each script prints "ok - NAME" or "not ok - NAME" per check;
# tests/run counts them. MEMPROV is the binary under test, DEFAULTS the shipped conf.d.
set -uo pipefail

TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${MEMPROV:?MEMPROV must name the memprov binary}"
: "${DEFAULTS:=$TESTS_DIR/../conf.d}"
T_FAILED=0

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; T_FAILED=1; }
# check NAME COMMAND...: passes when COMMAND exits 0.
check() {
        local name=$1
        shift
        if "$@" >/dev/null 2>&1; then ok "$name"; else not_ok "$name"; fi
}
# check_eq NAME ACTUAL EXPECTED
check_eq() {
        if [ "$2" == "$3" ]; then ok "$1"; else not_ok "$1 (got '$2', expected '$3')"; fi
}
# check_fails NAME COMMAND...: passes when COMMAND exits non-zero.
check_fails() {
        local name=$1
        shift
        if "$@" >/dev/null 2>&1; then not_ok "$name (succeeded)"; else ok "$name"; fi
}
# skip NAME REASON
skip() { echo "ok - $1 # SKIP $2"; }

# A scratch directory removed at exit; more cleanup can be queued with at_exit.
SCRATCH=$(mktemp -d /tmp/memprov-test.XXXXXX)
T_CLEANUP=()
at_exit() { T_CLEANUP+=("$*"); }
t_cleanup() {
        local i f
        # Swap first: a filesystem with an active swapfile cannot be unmounted.
        while read -r f _; do
                case $f in "$SCRATCH"/*) swapoff "$f" ;; esac
        done < <(tail -n +2 /proc/swaps)
        for ((i = ${#T_CLEANUP[@]} - 1; i >= 0; i--)); do eval "${T_CLEANUP[i]}" 2>/dev/null; done
        rm -rf "$SCRATCH"
}
trap t_cleanup EXIT

# Checksums of every file under the given paths (for "nothing changed" assertions).
tree_sums() {
        find "$@" -xdev \( -type f -o -type l \) -print0 2>/dev/null | sort -z |
                xargs -0 -r sha256sum 2>/dev/null
        find "$@" -xdev -printf '%p %m %l\n' 2>/dev/null | sort
}

# A loop-mounted filesystem of TYPE and SIZE at DIR (inside this test's mount namespace).
mount_loop_fs() {
        local type=$1 size=$2 dir=$3 img
        img=$SCRATCH/$(basename "$dir").img
        truncate -s "$size" "$img" || return 1
        case $type in
        ext2) mkfs.ext2 -q -F "$img" ;;
        ext4) mkfs.ext4 -q -F "$img" ;;
        xfs) mkfs.xfs -q -f "$img" ;;
        btrfs) mkfs.btrfs -q -f "$img" ;;
        *) return 1 ;;
        esac >/dev/null 2>&1 || return 1
        mkdir -p "$dir" && mount -o loop "$img" "$dir" && at_exit "umount -l '$dir'"
}

# Re-execs the calling script in a private mount namespace (so loop mounts, bind mounts over
# /etc files and /proc/sys stay private to the test), once.
enter_mount_namespace() {
        if [ -z "${MEMPROV_TEST_NS:-}" ]; then
                rm -rf "$SCRATCH" # the re-executed script makes its own
                MEMPROV_TEST_NS=1 exec unshare -m --propagation private bash "$0" "$@"
        fi
}

# A private copy of /sys/module/zswap/parameters (inside this test's mount namespace): memprov's
# live zswap writes land in the copy, never in the shared host kernel.
private_zswap_params() {
        local live=/sys/module/zswap/parameters copy=$SCRATCH/zswap-params f
        [ -d "$live" ] || return 1
        mkdir -p "$copy" || return 1
        for f in "$live"/*; do cat "$f" >"$copy/$(basename "$f")" || return 1; done
        mount --bind "$copy" "$live"
}

# live_overlays: /etc, /var/lib and /run become overlays whose writes land in $SCRATCH/ov/DIR/u
# (the host's never change), and vm.swappiness a bind-mounted scratch file holding 60. Needs the
# private mount namespace (enter_mount_namespace).
overlay() { # overlay DIR
        local up=$SCRATCH/ov$1
        mkdir -p "$up/u" "$up/w" && mount -t overlay overlay \
                -o "lowerdir=$1,upperdir=$up/u,workdir=$up/w" "$1"
}
live_overlays() {
        # /run too: a live run's lock is /run/memprov.lock (init/lock.c).
        overlay /etc && overlay /var/lib && overlay /run || return 1
        echo 60 >"$SCRATCH/swappiness"
        mount --bind "$SCRATCH/swappiness" /proc/sys/vm/swappiness
}
