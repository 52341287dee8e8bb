#!/bin/bash
# Issue 21, item 8: the state is not a list of files to remove. A forged [files] line naming
# /etc/shadow (with the hash of what it holds) is refused, naming the line, and nothing changes;
# a record of a memprov-named file that lacks memprov's header (its hash forged to match) never
# makes memprov remove it; a state cut short (no end line) is refused by every mode that acts
# on it, changing nothing, instead of silently forgetting the units it no longer lists; a state
# memprov 0.1.0 wrote (no format line, no end line) is still read.
# shellcheck disable=SC1091
source "$(dirname "$0")/../lib.sh"
enter_mount_namespace "$@"
source "$TESTS_DIR/fixtures/services/lib.sh"

T=$SCRATCH/template R=$SCRATCH/root S=$SCRATCH/root/var/lib/memprov/state
ENABLED="proftpd.service named.service postgresql.service clamav-daemon.service"
if ! debian_root "$T" event || ! cp -a "$TESTS_DIR/fixtures/units/lib" "$T/"; then
        not_ok "fixture root"
fi
# shellcheck disable=SC2086
systemctl --root="$T" --quiet enable $ENABLED 2>/dev/null || not_ok "enable the fixture units"
printf 'root:$y$j9T$forged:20000:0:99999:7:::\n' >"$T/etc/shadow" && chmod 640 "$T/etc/shadow"
MP=("$MEMPROV" --defaults "$DEFAULTS" --root "$R" --assume-ram 1G --set swap.size=256M)
provisioned() { rm -rf "$R" && cp -a "$T" "$R" && "${MP[@]}" >/dev/null 2>&1; }
tree() { (cd "$R" && find . -printf '%p %y %m %l\n' | sort && find . -type f -print0 | sort -z |
        xargs -0 -r sha256sum); }
# fnv1a64 FILE: memprov's change-detection hash (lib/fsutil.c hash64) of FILE's bytes.
fnv1a64() {
        python3 -c 'import sys
h = 0xcbf29ce484222325
for b in open(sys.argv[1], "rb").read():
    h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
print("%016x" % h)' "$1"
}
# refused NAME PATTERN ARGS...: the run exits non-zero with one error matching PATTERN, and the
# tree is as it was.
refused() {
        local name=$1 pattern=$2 before
        shift 2
        before=$(tree)
        "${MP[@]}" "$@" >/dev/null 2>"$SCRATCH/err"
        check "$name: refused" test $? -ne 0
        check_eq "$name: one error line" "$(grep -c 'error:' "$SCRATCH/err")" 1
        check "$name: the error says why" grep -q "error: .*$pattern" "$SCRATCH/err"
        check_eq "$name: nothing changed" "$(tree)" "$before"
}

provisioned || not_ok "provision"
check "a state ends with its end line" test "$(tail -1 "$S")" = "# end of memprov state"

# --- a forged [files] line naming /etc/shadow, with the hash of its bytes ---
sed -i "/^\[files\]/a /etc/shadow = $(fnv1a64 "$R/etc/shadow") 0640 sysctl" "$S"
for mode in --rerun --undo; do
        refused "forged [files] /etc/shadow, $mode" "\[files\] /etc/shadow is not a file memprov writes" "$mode"
done
check "forged [files]: /etc/shadow still there" test -f "$R/etc/shadow"

# --- a memprov-named file without memprov's header, its recorded hash forged to match ---
provisioned || not_ok "provision"
printf 'kernel.panic = 10\n' >"$R/etc/sysctl.d/61-memprov-admin.conf"
sed -i "/^\[files\]/a /etc/sysctl.d/61-memprov-admin.conf = $(fnv1a64 "$R/etc/sysctl.d/61-memprov-admin.conf") 0644 sysctl" "$S"
"${MP[@]}" --rerun >/dev/null 2>&1
check "headerless file with a forged record: kept by --rerun" test -f "$R/etc/sysctl.d/61-memprov-admin.conf"
"${MP[@]}" --undo >/dev/null 2>&1
check "headerless file with a forged record: kept by --undo" test -f "$R/etc/sysctl.d/61-memprov-admin.conf"
check "headerless file: --undo removed memprov's own" test ! -e "$R/etc/sysctl.d/60-memprov.conf"

# --- a state cut short: every mode that acts on it refuses ---
provisioned || not_ok "provision"
size=$(stat -c %s "$S")
truncate -s $((size * 2 / 3)) "$S"
for mode in "" --rerun --undo; do
        # shellcheck disable=SC2086
        refused "state cut at 2/3, ${mode:-plain run}" "incomplete" $mode
done
check_fails "state cut short: --status fails" "${MP[@]}" --status

# --- a state written by memprov 0.1.0: no format line, no end line ---
provisioned || not_ok "provision"
sed -i -e '1s/.*/# memprov state: what memprov changed on this machine. Written by memprov./' \
        -e '/^# end of memprov state$/d' "$S"
before=$(tree)
"${MP[@]}" >/dev/null 2>"$SCRATCH/err"
check "0.1.0 state: a plain run succeeds" test $? -eq 0
check "0.1.0 state: already provisioned" grep -q "already provisioned" "$SCRATCH/err"
check_eq "0.1.0 state: nothing changed" "$(tree)" "$before"
"${MP[@]}" --rerun >/dev/null 2>&1
check "0.1.0 state: --rerun writes a format-2 state" test "$(tail -1 "$S")" = "# end of memprov state"
exit 0
