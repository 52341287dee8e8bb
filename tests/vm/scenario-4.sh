# shellcheck shell=bash disable=SC2154 # dir (tests/vm/run)
# Scenario 4: 2 GiB RAM, user-data `memprov: {enabled: false}`: memprov.service succeeds and
# changes nothing: no swapfile, no sysctl file, no drop-in, no state file, every unit left
# enabled and running.
cat >"$dir.user-data" <<'UD'
#cloud-config
memprov:
  enabled: false
UD
# 2 GiB: memprov sizes nothing here, so every service runs; at 1 GiB without swap the full
# set (Mailman3's runners above all) makes the guest thrash for many minutes.
if boot "$dir" --ram 2G --user-data "$dir.user-data"; then
        ok "s4: boot at 2G with enabled: false, report read back"
        check_boot_sane s4
        check "s4: memprov says it is disabled by configuration" \
                grep -q 'disabled by configuration' <(sed -n '/^=== journalctl -b -u memprov$/,/^---/p' "$REPORT")
        check_untouched s4
else
        not_ok "s4: boot at 2G with enabled: false, report read back"
fi
