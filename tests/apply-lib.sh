# shellcheck shell=bash
# Shared by tests/integration/crash.sh, powercut.sh and faults.sh: the traced syscalls of a run,
# the loop that interrupts it at each one, and a live machine whose /etc and /var/lib are fresh
# overlays (compared through their upper dirs).

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


# kill_at SYSCALL N CMD...: CMD killed at its Nth SYSCALL (crash.sh's interruption). strace dies
# of the signal it injected; the shell's "Killed" is noise.
kill_at() {
        local sc=$1 n=$2
        shift 2
        (strace -qq -o /dev/null -e trace="$sc" -e inject="$sc:signal=SIGKILL:when=$n" \
                "$@" >/dev/null 2>&1; true) 2>/dev/null
        settle
}

# run_points NAME SET PREP SNAP ALLOW_PRE -- CMD...: the interruption loop of crash.sh (a kill at
# each point) and powercut.sh (a power cut right after it). PREP puts the machine where the run
# starts, SNAP prints what a run leaves. For each mutating call of the uninterrupted CMD (points
# SET; MORE_POINTS=FUNCTION adds the points FUNCTION CMD... prints): PREP, then
# INTERRUPT SYSCALL N CMD... (INTERRUPT=FUNCTION, kill_at unless set) stops CMD there and leaves
# the machine as it comes back, or fails printing why in a word. A plain run (the boot run: CMD
# without --rerun or --undo) follows, then CMD again: each must leave what the uninterrupted run
# left; ALLOW_PRE=1 accepts the starting point after the plain run (a plain run only checks a
# provisioned machine when no run was under way). WHAT names the points in the result line
# ("crash points" unless set). A developer's selection: CRASH_ONLY=REGEX runs only the scenarios
# it matches; CRASH_DEBUG=1 prints how a failed point's result differs.
run_points() {
        local name=$1 set=$2 prep=$3 snap=$4 allow_pre=$5 ref pre pts total=0 good=0 bad=()
        local start=$SECONDS interrupt=${INTERRUPT:-kill_at} what=${WHAT:-crash points} why after
        [[ -z ${CRASH_ONLY:-} || $name =~ $CRASH_ONLY ]] || return 0
        shift 6
        local -a cmd=("$@") plain=()
        local a
        for a in "${cmd[@]}"; do [ "$a" = --rerun ] || [ "$a" = --undo ] || plain+=("$a"); done
        $prep || { not_ok "$name: prepare"; return; }
        pre=$($snap)
        "${cmd[@]}" >/dev/null 2>&1 || { not_ok "$name: uninterrupted run"; return; }
        ref=$($snap)
        $prep && pts=$(points "$set" "${cmd[@]}")
        if [ -n "${MORE_POINTS:-}" ]; then $prep && pts+=$'\n'$($MORE_POINTS "${cmd[@]}"); fi
        while read -r sc n; do
                [ -n "$sc" ] || continue
                total=$((total + 1))
                $prep || { bad+=("$sc#$n:prep"); continue; }
                why=$($interrupt "$sc" "$n" "${cmd[@]}") || { bad+=("$sc#$n:${why:-interrupt}"); continue; }
                "${plain[@]}" >/dev/null 2>"$SCRATCH/err1"
                after=$($snap)
                if [ "$after" != "$ref" ] && { [ "$allow_pre" != 1 ] || [ "$after" != "$pre" ]; }; then
                        bad+=("$sc#$n:plain")
                        [ -n "${CRASH_DEBUG:-}" ] && diff <(echo "$ref") <(echo "$after") | head -20 >&2
                        continue
                fi
                "${cmd[@]}" >/dev/null 2>"$SCRATCH/err2"
                after=$($snap)
                if [ "$after" != "$ref" ]; then
                        bad+=("$sc#$n:again")
                        [ -n "${CRASH_DEBUG:-}" ] && diff <(echo "$ref") <(echo "$after") | head -20 >&2
                        continue
                fi
                good=$((good + 1))
        done <<<"$pts"
        echo "# $name: $good of $total $what converged in $((SECONDS - start)) s"
        if [ "$total" -gt 0 ] && [ "$good" -eq "$total" ]; then
                ok "$name: $good of $total $what converged"
        else
                not_ok "$name: $good of $total $what converged (failed: ${bad[*]:0:12})"
        fi
}

# long_scenario NAME: whether a scenario of the long suite runs here (MEMPROV_TEST_LONG=1, set by
# make check-long), else its skip line, so make check's count shows what it left out. The long
# scenarios repeat on other filesystems what make check runs on ext4 (crash.sh took ~450 s of
# make check's 44 min with them).
long_scenario() {
        [[ -z ${CRASH_ONLY:-} || $1 =~ $CRASH_ONLY ]] || return 1
        [ "${MEMPROV_TEST_LONG:-}" = 1 ] && return 0
        skip "$1" "long suite: make check-long"
        return 1
}
