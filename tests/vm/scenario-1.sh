# shellcheck shell=bash disable=SC2154 # dir (tests/vm/run), GiB (tests/vm/lib.sh)
# Scenario 1: 1 GiB RAM, no user-data. memprov provisions on the first boot: /swapfile of the
# policy's size, active and in fstab; vm.swappiness 10 (a database is installed; 100
# where zram is the cushion); memprov done
# before MariaDB/Apache/PHP-FPM start; no ordering cycle, no failed unit.
# The drop-ins exist and the live MariaDB, Apache and PHP-FPM run with them;
# the 1G tier's unused groups are disabled and inactive.
if boot "$dir" --ram 1G; then
        ok "s1: boot at 1G, report read back"
        check_boot_sane s1
        check_swap s1 "$GiB"
        check_db_swappiness s1
        check_dropins s1
        check_live_web s1
        check_units s1 enabled mariadb apache2 "$PHPFPM"
        # The small tier's groups (conf.d/30-units.conf): proftpd, bind, postgres, mailman.
        check_units s1 disabled proftpd named postgresql mailman3
        check_cloud_init_clean s1
        echo "# s1 mariadb (buffer pool, max_connections): $(rv mariadb)"
else
        not_ok "s1: boot at 1G, report read back"
fi
