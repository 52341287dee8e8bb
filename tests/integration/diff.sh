#!/bin/bash
# Issue 12: previews that show what will be written, and output that says what happened. --dry-run --diff prints a unified diff of
# each file against the root (the whole content when new), which patch(1) applies to give
# exactly what a real run writes; --json carries each file's content; neither changes anything.
# shellcheck disable=SC1091
source "$(dirname "$0")/../lib.sh"

R=$SCRATCH/root
MP=("$MEMPROV" --defaults "$DEFAULTS" --root "$R" --set swap.size=none)
mkdir -p "$R/etc/sysctl.d" "$R/var/lib" "$R/usr/sbin" "$R/etc/apache2/mods-enabled" \
        "$R/etc/apache2/conf-available" "$R/etc/apache2/conf-enabled" && touch "$R/etc/debian_version"
touch "$R/usr/sbin/apache2" "$R/etc/apache2/mods-enabled/mpm_event.load"
# apache2.service as Debian ships and enables it: memprov sizes an enabled Apache only (issue 23).
mkdir -p "$R/lib/systemd/system" "$R/etc/systemd/system/multi-user.target.wants"
cp /lib/systemd/system/apache2.service "$R/lib/systemd/system/"
ln -s /lib/systemd/system/apache2.service "$R/etc/systemd/system/multi-user.target.wants/"
CONF=/etc/apache2/conf-available/memprov.conf

before=$(tree_sums "$R")
out=$("${MP[@]}" --assume-ram 1G --dry-run --diff 2>&1)
check "new files: exit 0" test $? -eq 0
check_eq "new files: nothing changed" "$(tree_sums "$R")" "$before"
check "new files: whole content against /dev/null" \
        grep -qx -- "--- /dev/null" <<<"$out"
check "new files: the sysctl drop-in's line" grep -qx "+vm.swappiness = 30" <<<"$out"
json=$("${MP[@]}" --assume-ram 1G --dry-run --json 2>/dev/null)
content=$(python3 -c 'import json,sys; d=json.load(sys.stdin)
print([f for f in d["files"] if f["path"]==sys.argv[1]][0]["content"], end="")' "$CONF" <<<"$json")

"${MP[@]}" --assume-ram 1G >/dev/null 2>&1
check_eq "--json content is what the run writes" "$content" "$(cat "$R$CONF")"

# A resize: the diff, applied with patch(1), gives exactly what --rerun writes.
cp -a "$R" "$SCRATCH/patched"
out=$("${MP[@]}" --assume-ram 4G --rerun --dry-run --diff 2>/dev/null)
check "resize: a hunk for the Apache drop-in" grep -q -- "^-.*MaxRequestWorkers" <<<"$out"
sed -n '/^--- /,$p' <<<"$out" >"$SCRATCH/plan.diff"
"${MP[@]}" --assume-ram 4G --rerun >/dev/null 2>&1
if command -v patch >/dev/null; then
        # Paths relative to the root: patch(1) ignores absolute ones.
        sed -E 's#^(---|\+\+\+) /#\1 #' "$SCRATCH/plan.diff" >"$SCRATCH/rel.diff"
        check "resize: patch applies the diff" patch -s -p0 -d "$SCRATCH/patched" -i "$SCRATCH/rel.diff"
        check "resize: patched file equals what --rerun wrote" cmp -s "$SCRATCH/patched$CONF" "$R$CONF"
else
        skip "resize: patch applies the diff" "patch not installed"
fi
# Output that says what happened: under --root the sysctl waits for the next boot; an apply
# that stops on an error marks the actions it did not reach "not done".
out=$("${MP[@]}" --assume-ram 1G --rerun 2>/dev/null)
check "--root: sysctl deferred to the next boot" grep -q "sysctl  deferred  vm.swappiness" <<<"$out"
# A file where the sysctl.d folder should be makes the first write fail (a symlinked folder no
# longer does: the sysctl drop-in is then skipped and the run goes on, 7306447).
rm -rf "$R/var/lib/memprov" "$R/etc/sysctl.d" && touch "$R/etc/sysctl.d"
out=$("${MP[@]}" --assume-ram 1G 2>/dev/null)
check "stopped apply: the Apache drop-in is not done" \
        grep -q "file    not done  $CONF" <<<"$out"
check "stopped apply: the failed write says so" grep -q "file    failed    /etc/sysctl.d/60-memprov.conf" <<<"$out"
check_fails "stopped apply: nothing said unchanged" grep -q "unchanged" <<<"$out"
rm "$R/etc/sysctl.d"

# Worker MPM: MaxRequestWorkers 50 is rounded to 48 (ThreadsPerChild 12), and the plan says so.
rm "$R/etc/apache2/mods-enabled/mpm_event.load" && touch "$R/etc/apache2/mods-enabled/mpm_worker.load"
out=$("${MP[@]}" --assume-ram 1G --dry-run 2>/dev/null)
check "worker MPM: the rounding is noted" \
        grep -q "MaxRequestWorkers 50 rounded down to 48, a multiple of ThreadsPerChild 12" <<<"$out"

# A build-tree binary takes its checkout's conf.d; the same binary elsewhere does not.
case $(basename "$(dirname "$MEMPROV")") in
build | build-*)
        check "build-tree binary: finds the checkout's conf.d" \
                "$MEMPROV" --root "$R" --set swap.size=none --assume-ram 1G --dry-run
        mkdir -p "$SCRATCH/bin" "$SCRATCH/build" && cp "$MEMPROV" "$SCRATCH/bin/memprov" &&
                cp "$MEMPROV" "$SCRATCH/build/memprov" && cp -r "$DEFAULTS" "$SCRATCH/conf.d"
        check_fails "copied elsewhere: no checkout's conf.d" \
                "$SCRATCH/bin/memprov" --root "$R" --set swap.size=none --assume-ram 1G --dry-run
        check_fails "in a build dir beside a conf.d but no sources: not taken" \
                "$SCRATCH/build/memprov" --root "$R" --set swap.size=none --assume-ram 1G --dry-run
        ;;
*) skip "build-tree binary" "$MEMPROV is not in a build directory" ;;
esac

check_fails "--diff without --dry-run is refused" "${MP[@]}" --assume-ram 4G --diff
exit "$T_FAILED"
