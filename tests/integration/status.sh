#!/bin/bash
# Issue 12: memprov --status on an offline root: a summary of what memprov set as it is now,
# what --rerun would change, and the documented exit statuses (0 as left, 2 drift, 4 --rerun
# pending, 6 both, 8 not provisioned); --json says the same; --status changes nothing.
# shellcheck disable=SC1091
source "$(dirname "$0")/../lib.sh"
enter_mount_namespace "$@"
[ "$(id -u)" = 0 ] || { skip "status integration" "needs root"; exit 0; }
command -v systemctl >/dev/null || { skip "status integration" "systemctl not installed"; exit 0; }

mount_loop_fs ext4 24G "$SCRATCH/disk" || { not_ok "mkfs"; exit 1; }
R=$SCRATCH/disk/root
MP=("$MEMPROV" --defaults "$DEFAULTS" --root "$R" --set swap.add=yes --set swap.image=yes)
json_get() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval("d"+sys.argv[1]))' "$1"; }

mkdir -p "$R/etc/sysctl.d" "$R/var/lib" "$R/usr/sbin" "$R/etc/apache2/mods-enabled" \
        "$R/etc/apache2/conf-available" "$R/etc/apache2/conf-enabled" && touch "$R/etc/debian_version"
touch "$R/usr/sbin/apache2" "$R/etc/apache2/mods-enabled/mpm_event.load"
printf 'UUID=abc / ext4 defaults 0 1\n' >"$R/etc/fstab"
cp -a "$TESTS_DIR/fixtures/units/lib" "$R/"
# apache2.service as Debian ships and enables it: memprov sizes an enabled Apache only (issue 23).
cp /lib/systemd/system/apache2.service "$R/lib/systemd/system/"
systemctl --root="$R" --quiet enable proftpd.service named.service apache2.service 2>/dev/null

out=$("${MP[@]}" --assume-ram 1G --status 2>&1)
check_eq "not provisioned: exit 8" "$?" 8
check "not provisioned: says so" grep -q "not provisioned" <<<"$out"

"${MP[@]}" --assume-ram 1G >/dev/null 2>&1 || not_ok "provision"
before=$(tree_sums "$R")
out=$("${MP[@]}" --assume-ram 1G --status 2>&1)
check_eq "as left: exit 0" "$?" 0
check_eq "--status changes nothing" "$(tree_sums "$R")" "$before"
check "as left: tier and RAM" grep -q "^provisioned  tier 1G for RAM 1G" <<<"$out"
check "as left: the swapfile in fstab, with its size" grep -q "^swap         /swapfile: in fstab (2G)" <<<"$out"
check "as left: files as written" grep -q "^file         /etc/sysctl.d/60-memprov.conf: as written" <<<"$out"
check "as left: units still disabled" grep -q "^unit         proftpd.service: still disabled" <<<"$out"
check "as left: --rerun would change nothing" grep -q "^rerun        would change nothing" <<<"$out"

# Drift: a file edited, a file removed, a unit enabled again, the fstab line removed.
echo "# mine" >>"$R/etc/apache2/conf-available/memprov.conf"
rm "$R/etc/sysctl.d/60-memprov.conf"
systemctl --root="$R" --quiet enable named.service 2>/dev/null
cp "$R/etc/fstab" "$SCRATCH/fstab" && printf 'UUID=abc / ext4 defaults 0 1\n' >"$R/etc/fstab"
out=$("${MP[@]}" --assume-ram 1G --status 2>&1)
rc=$?
check_eq "drift: exit 2 or 6" "$((rc & 2))" 2
check "drift: edited file named" grep -q "conf-available/memprov.conf: edited by the admin" <<<"$out"
check "drift: missing file named" grep -q "60-memprov.conf: missing" <<<"$out"
check "drift: unit enabled again" grep -q "named.service: enabled again by the admin" <<<"$out"
check "drift: swapfile not in fstab" grep -q "/swapfile: not in fstab" <<<"$out"
check "drift: --rerun would write the missing file" grep -q "would write /etc/sysctl.d/60-memprov.conf" <<<"$out"
check_eq "drift with changes --rerun would make: exit 6" "$rc" 6
json=$("${MP[@]}" --assume-ram 1G --status --json 2>/dev/null)
check_eq "--json: exit status the same" "$(json_get '["exit_status"]' <<<"$json")" 6
check_eq "--json: drift" "$(json_get '["drift"]' <<<"$json")" True
# The item found by its name, not its place in the list.
check_eq "--json: the edited file" "$(python3 -c 'import json, sys
print(*[i["state"] for i in json.load(sys.stdin)["items"]
        if i["name"] == "/etc/apache2/conf-available/memprov.conf"])' <<<"$json")" edited

# Drift only: the admin's edits that --rerun leaves alone.
cp "$SCRATCH/fstab" "$R/etc/fstab"
"${MP[@]}" --assume-ram 1G --rerun >/dev/null 2>&1
"${MP[@]}" --assume-ram 1G --status >/dev/null 2>&1
check_eq "drift only (edits --rerun leaves alone): exit 2" "$?" 2
"${MP[@]}" --assume-ram 1G --rerun >/dev/null 2>&1
check "an admin edit survives a second --rerun (its record is kept)" \
        grep -qx "# mine" "$R/etc/apache2/conf-available/memprov.conf"

# A resize pending only: exit 4.
rm "$R/etc/apache2/conf-available/memprov.conf"
systemctl --root="$R" --quiet disable named.service 2>/dev/null
rm -rf "$R/var/lib/memprov"
"${MP[@]}" --assume-ram 1G >/dev/null 2>&1
out=$("${MP[@]}" --assume-ram 8G --status 2>&1)
check_eq "resized: exit 4" "$?" 4
check "resized: says so" grep -q "^now          tier 8G, RAM 8G: resized since" <<<"$out"
check "resized: lists what --rerun would change" grep -q "^rerun        would resize swapfile /swapfile to 4G (now 2G)" <<<"$out"

# After --undo: not provisioned, and says it was put back.
"${MP[@]}" --assume-ram 1G --undo >/dev/null 2>&1
out=$("${MP[@]}" --assume-ram 1G --status 2>&1)
check_eq "after --undo: exit 8" "$?" 8
check "after --undo: says put back" grep -q "put back by memprov --undo" <<<"$out"
exit "$T_FAILED"
