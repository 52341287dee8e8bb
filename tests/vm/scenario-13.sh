# shellcheck shell=bash disable=SC2154 # dir (tests/vm/run), GiB (tests/vm/lib.sh)
# Scenario 13: the documented cloud-init route without a schema warning on any cloud-init:
# user-data `write_files` of an INI file into /etc/memprov/conf.d/ (swap 1G, keep postgres, as
# scenario 3 asks through the memprov: key). cloud-init's network stage writes it before
# memprov.service starts; memprov obeys it; cloud-init is not degraded (Debian 13's 25.1 is with
# the memprov: key, scenario 3) and `cloud-init schema --system` accepts the user-data.
cat >"$dir.user-data" <<'UD'
#cloud-config
write_files:
  - path: /etc/memprov/conf.d/50-cloud.conf
    owner: root:root
    permissions: '0644'
    content: |
      [swap]
      size = 1G
      [units]
      keep = postgres
UD
if boot "$dir" --ram 1G --user-data "$dir.user-data"; then
        ok "s13: boot at 1G with write_files to /etc/memprov/conf.d, report read back"
        check_boot_sane s13
        check_cloud_init_clean s13 schema
        check_network_stage_first s13
        check "s13: /etc/memprov/conf.d/50-cloud.conf written by cloud-init" \
                grep -q '^--- /etc/memprov/conf.d/50-cloud.conf$' "$REPORT"
        check_eq "s13: /swapfile of 1 GiB (write_files)" "$(rv swapfile.bytes)" "$GiB"
        check_eq "s13: /swapfile active with its full size" "$(($(rv swap./swapfile.bytes) + 4096))" "$GiB"
        check_eq "s13: one swap line in fstab, for /swapfile" "$(rv swap.fstab_lines)" "/swapfile:none:swap;"
        check_units s13 enabled postgresql mariadb apache2 "$PHPFPM"
        check_eq "s13: postgresql active" "$(rv unit.postgresql.active)" active
        check_units s13 disabled proftpd named mailman3
else
        not_ok "s13: boot at 1G with write_files to /etc/memprov/conf.d, report read back"
fi
