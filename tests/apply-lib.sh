# shellcheck shell=bash
# Shared by tests/integration/crash.sh and faults.sh: the traced syscalls of a run, and a live
# machine whose /etc and /var/lib are fresh overlays (compared through their upper dirs).

# strace_tests NAME: whether this script runs here (else a skip line, and the caller exits 0):
# hundreds of runs under strace happen once, for the plain build (as tests/run does for the
# VMs), as root, with strace installed.
strace_tests() {
        # The binary's own NEEDED entry, read from the file: ldd runs the loader, and once in
        # make check (flushes.sh, build-asan) it did not name libasan, so the ASan build ran
        # under strace, where LeakSanitizer aborts.
        if grep -aq 'libasan\.so' "$MEMPROV" || ldd "$MEMPROV" 2>/dev/null | grep -q libasan; then
                skip "$1" "run for the plain build only"
        elif [ "$(id -u)" != 0 ]; then
                skip "$1" "needs root"
        elif ! command -v strace >/dev/null; then
                skip "$1" "strace not installed (make test-deps)"
        else
                return 0
        fi
        return 1
}

# live_ext4: memprov's command line for a live run (MP), vm.swappiness a bind-mounted scratch
# file, a private copy of zswap's parameters, /proc/swaps this test's swap only (private_swaps:
# another test's or the host's swap would change the plan between a point and its reference
# run) and a /run overlay (the run's lock,
# /run/memprov.lock: the host's, and other tests' runs, never see it), and an 8G ext4 mounted at
# $SCRATCH/ext4 whose swapfile is $SW.
live_ext4() {
        MP=("$MEMPROV" --defaults "$DEFAULTS" --set swap.add=yes --assume-ram 1G)
        echo 60 >"$SCRATCH/swappiness" && mount --bind "$SCRATCH/swappiness" /proc/sys/vm/swappiness
        private_zswap_params || [ ! -d /sys/module/zswap ] || not_ok "private zswap parameters"
        private_swaps || not_ok "private /proc/swaps"
        overlay /run || not_ok "private /run"
        mount_loop_fs ext4 8G "$SCRATCH/ext4" || not_ok "ext4: mkfs and mount"
        SW=$SCRATCH/ext4/swapfile
}

# points SET CMD...: "SYSCALL N" for each mutating call the uninterrupted CMD makes. With
# POINTS_ONLY=REGEX set, only calls naming a matching path (or taking no path) count.
points() {
        local set=$1
        shift
        strace -qq -o "$SCRATCH/trace" -e trace="$set" "$@" >/dev/null 2>&1
        awk -v only="${POINTS_ONLY:-}" '/^(\+\+\+|---|<\.\.\.)/ { next }
             match($0, /^[a-z0-9_]+\(/) {
                     name = substr($0, 1, RLENGTH - 1); n[name]++
                     if (only != "" && $0 ~ /"/ && $0 !~ only) next
                     if (name == "openat" && $0 !~ /O_CREAT/) next
                     if (name == "write" && $0 ~ /^write\([12],/) next  # the plan, the log
                     if (name == "ioctl" && $0 !~ /FS_IOC_SETFLAGS/) next
                     print name, n[name]
             }' "$SCRATCH/trace"
}

# An orphaned mkswap (its parent killed in wait4) finishes on its own: let it.
settle() {
        local i
        for ((i = 0; i < 50; i++)); do
                pgrep -f "mkswap.*$SCRATCH" >/dev/null || return 0
                sleep 0.1
        done
}

overlay() { # overlay DIR: a fresh overlay, writes land in $SCRATCH/ov/DIR/u
        local up=$SCRATCH/ov$1
        umount "$1" 2>/dev/null
        rm -rf "$up" && mkdir -p "$up/u" "$up/w" &&
                mount -t overlay overlay -o "lowerdir=$1,upperdir=$up/u,workdir=$up/w" "$1"
}

# The swapfiles in DIR: name, size, mode, blkid type and label, and what /proc/swaps shows.
swap_snap() {
        local f
        for f in "$1"/* "$1"/.[!.]*; do
                [ -e "$f" ] || continue
                echo "$(basename "$f") $(stat -c '%s %a %F' "$f")" \
                        "$(blkid -o export -s TYPE -s LABEL "$f" 2>/dev/null | tr '\n' ' ')"
        done
        awk -v d="$1/" 'index($1, d) == 1 { print $1, $3 }' /proc/swaps | sort
}

# memprov.prom (where the host has the node exporter's textfile directory) records each run's
# time and result: it differs between any two runs by design, so it is not compared.
files_snap() { # files_snap DIR...: every path, type, mode, and the bytes of regular files
        local d
        for d in "$@"; do
                (cd "$d" && find . ! -name memprov.prom -printf '%p %y %m %l\n' | sort &&
                        find . -type f ! -name memprov.prom -print0 | sort -z |
                        xargs -0 -r sha256sum)
        done
}

# --- live: /etc and /var/lib are overlays, swappiness a bind-mounted file ---
live_reset() { # live_reset MNT
        swapoff_under "$1"
        settle
        find "$1" -mindepth 1 -delete
        overlay /etc && overlay /var/lib || return 1
        # Without the node exporter's textfile directory (the host may have it: make check
        # installs prometheus-node-exporter), as on a plain VPS: memprov.prom is a best-effort
        # report, whose write failing is a warning (tests/integration/metrics.sh), not a step
        # of provisioning these tests kill or fault.
        rm -rf /var/lib/prometheus
        printf '# fstab for tests\nproc /proc proc defaults 0 0\n' >/etc/fstab
        echo 60 >"$SCRATCH/swappiness"
}
swapoff_under() {
        local f
        while read -r f _; do
                case $f in "$1"/*) swapoff "$f" ;; esac
        done < <(tail -n +2 /proc/swaps)
}
live_snap() { # live_snap MNT
        files_snap "$SCRATCH/ov/etc/u" "$SCRATCH/ov/var/lib/u"
        swap_snap "$1"
        cat "$SCRATCH/swappiness"
}

