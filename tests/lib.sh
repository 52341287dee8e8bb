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
# Under tests/run's folder for the script when it gives one (what it checks the host against).
SCRATCH=$(mktemp -d "${MEMPROV_TEST_TMP:-/tmp}/memprov-test.XXXXXX")
T_CLEANUP=()
at_exit() { T_CLEANUP+=("$*"); }
t_cleanup() {
        local i f
        # The private swap list first: the list below is the kernel's (private_swaps).
        if [ -n "${T_SWAPS_SERVER:-}" ]; then
                umount -l /proc/swaps
                kill "$T_SWAPS_SERVER"
        fi
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
# Once per test: a second call would copy the copy onto itself (emptying every file) and mount
# over the first mount, which leaves the copy a mountpoint that the exit's rm cannot remove
# (zswap.sh then live_overlays, CI of f5599e8: "rm: cannot remove .../zswap-params: Device or
# resource busy", exit status 1).
private_zswap_params() {
        local live=/sys/module/zswap/parameters copy=$SCRATCH/zswap-params f
        [ -d "$live" ] || return 1
        [ -z "${T_ZSWAP_PRIVATE:-}" ] || return 0
        mkdir -p "$copy" || return 1
        for f in "$live"/*; do cat "$f" >"$copy/$(basename "$f")" || return 1; done
        mount --bind "$copy" "$live" || return 1
        T_ZSWAP_PRIVATE=1
        at_exit "umount -l '$live'"
}

# private_swaps: /proc/swaps as this test's machine has it: the kernel's list holds every swap of
# the host, of other tests' namespaces and of other worktrees' runs (it is not namespaced), and
# memprov counts all of it (issue 21 item 10: beside another swap user crash.sh and faults.sh
# converged at 30/96 faults and 21/35 resize points). A FIFO bind-mounted over /proc/swaps in this
# test's mount namespace, fed by a server that, for each open, reads the kernel's list (a procfs
# mounted under $SCRATCH) at that moment and passes on the header and the swap under $SCRATCH
# only: memprov's own swapon and swapoff show at once, as in the kernel's list; every other
# swap is hidden. A bound file could not do this: memprov reads the list again after its own
# swapon (modules/swap-file.c swap_active). The server opens the FIFO again only once no process
# holds it (a reader still before EOF would get the list twice: crash.sh's swapoff saw its
# swapfile listed twice, session 10). Torn down first at exit.
private_swaps() {
        local real=$SCRATCH/proc fifo=$SCRATCH/swaps
        mkdir -p "$real" && mount -t proc proc "$real" && mkfifo "$fifo" || return 1
        at_exit "umount -l '$real'"
        # perl-base is Essential in Debian; one process, so the kill at exit ends it even while
        # it waits in open(2) for a reader. Started from a subshell, so it is not this shell's
        # child: a script's bare `wait` (concurrency.sh) would otherwise wait for it for ever.
        T_SWAPS_SERVER=$(perl -e '$SIG{PIPE} = "IGNORE"; my ($real, $fifo, $dir) = @ARGV;
                while (1) {
                        open(my $w, ">", $fifo) or die "$fifo: $!";
                        open(my $r, "<", $real) or die "$real: $!";
                        my @l = <$r>;
                        print $w shift(@l), grep { index($_, $dir) == 0 } @l;
                        close($w); close($r);
                        # A reader not yet at EOF keeps the FIFO open, and a reopen now would
                        # give it the list twice: wait (at most 5 s) until no process holds it.
                        # A reader blocked in open(2) has no descriptor yet.
                        my ($dev, $ino) = (stat $fifo)[0, 1];
                        for (my $i = 0; $i < 500; $i++) {
                                my $busy = 0;
                                for my $fd (glob "/proc/[0-9]*/fd/*") {
                                        my @s = stat $fd or next;
                                        $busy = 1, last if $s[0] == $dev && $s[1] == $ino;
                                }
                                last unless $busy;
                                select(undef, undef, undef, 0.01);
                        }
                }' "$real/swaps" "$fifo" "$SCRATCH/" </dev/null >/dev/null 2>&1 &
                echo $!)
        mount --bind "$fifo" /proc/swaps
}

# live_overlays: /etc, /var/lib and /run become overlays whose writes land in $SCRATCH/ov/DIR/u
# (the host's never change), vm.swappiness a bind-mounted scratch file holding 60, zswap's
# parameters a private copy (private_zswap_params; a kernel without zswap has none to copy) and
# /proc/swaps this test's own swap only (private_swaps).
# Needs the private mount namespace (enter_mount_namespace).
overlay() { # overlay DIR
        local up=$SCRATCH/ov$1
        mkdir -p "$up/u" "$up/w" && mount -t overlay overlay \
                -o "lowerdir=$1,upperdir=$up/u,workdir=$up/w" "$1"
}
live_overlays() {
        # /run too: a live run's lock is /run/memprov.lock (init/lock.c).
        overlay /etc && overlay /var/lib && overlay /run || return 1
        echo 60 >"$SCRATCH/swappiness"
        mount --bind "$SCRATCH/swappiness" /proc/sys/vm/swappiness && private_swaps || return 1
        private_zswap_params || [ ! -d /sys/module/zswap/parameters ]
}
# In live_overlays' /etc and /var/lib: a test fstab, and no record, drop-in or setting of memprov.
live_fresh_etc() {
        printf '# fstab for tests\nproc /proc proc defaults 0 0\n' >/etc/fstab
        rm -rf /var/lib/memprov /etc/sysctl.d/60-memprov.conf /etc/memprov
}
