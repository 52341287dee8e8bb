# shellcheck shell=bash disable=SC2154 # dir (tests/vm/run), GiB (tests/vm/lib.sh)
# Scenario 3: 1 GiB RAM, user-data sets the swap size (1G, the policy would give 2G here) and
# keeps the postgres group: obeyed. /swapfile of 1 GiB, active and in fstab; PostgreSQL enabled
# and running; the small tier's other groups disabled and inactive.
cat >"$dir.user-data" <<'UD'
#cloud-config
memprov:
  swap:
    size: 1G
  units:
    keep: [postgres]
UD
if boot "$dir" --ram 1G --user-data "$dir.user-data"; then
        ok "s3: boot at 1G with user-data (swap 1G, keep postgres), report read back"
        check_boot_sane s3
        check_eq "s3: /swapfile of 1 GiB (user-data)" "$(rv swapfile.bytes)" "$GiB"
        check_eq "s3: /swapfile active with its full size" "$(($(rv swap./swapfile.bytes) + 4096))" "$GiB"
        check_eq "s3: one active swap" "$(rv swap.active_count)" 1
        check_eq "s3: one swap line in fstab, for /swapfile" "$(rv swap.fstab_lines)" "/swapfile:none:swap;"
        check_dropins s3
        check_units s3 enabled postgresql mariadb apache2 "$PHPFPM"
        check_eq "s3: postgresql active" "$(rv unit.postgresql.active)" active
        check_eq "s3: $PGMAIN (the cluster) active" "$(rv "unit.$PGMAIN.active")" active
        check_units s3 disabled proftpd named mailman3
        check_cloud_init_memprov_key s3
else
        not_ok "s3: boot at 1G with user-data (swap 1G, keep postgres), report read back"
fi
