#!/bin/bash
# Issue 21 item 9: a folder memprov changes that the admin made a symbolic link. A
# multi-user.target.wants/ that leads elsewhere (boot follows it, systemctl disable does not:
# modules/units-dirs.c), a PHP-FPM pool.d/ and an /etc/sysctl.d that do (its include= glob and
# systemd-sysctl follow them): each named in the plan, nothing changed through the link, the rest
# of the run done; once the folder is a real one again, memprov does what it would have. Offline roots (--root) built from the
# Debian 12 packages' unit files (tests/fixtures/units), enabled as their postinst does.
# shellcheck disable=SC1091
source "$(dirname "$0")/../lib.sh"

command -v systemctl >/dev/null || { skip "linked-dirs" "systemctl not installed (make test-deps)"; exit 0; }

W=etc/systemd/system/multi-user.target.wants
# new_root DIR LINK: proftpd, named (and its bind9.service alias) and redis enabled, then
# multi-user.target.wants moved to /srv/wants and linked back as LINK says (absolute or relative).
new_root() {
        mkdir -p "$1/etc" "$1/srv" "$1/lib/systemd/system" && touch "$1/etc/debian_version" &&
                cp -a "$TESTS_DIR/fixtures/units/lib" "$1/" &&
                # A consumer memprov budgets when enabled (conf.d/25-consumers.conf); [Install] as
                # Debian 12's redis-server.service has it.
                printf '[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n' \
                        >"$1/lib/systemd/system/redis-server.service" &&
                systemctl --root="$1" --quiet enable proftpd.service named.service \
                        redis-server.service 2>/dev/null &&
                mv "$1/$W" "$1/srv/wants" && ln -s "$2" "$1/$W"
}

mp() {
        local root=$1 ram=$2
        shift 2
        "$MEMPROV" --defaults "$DEFAULTS" --root "$root" --assume-ram "$ram" \
                --set swap.size=none "$@" 2>"$root.err"
}

for link in ../../../srv/wants /srv/wants; do
        R=$SCRATCH/root-${link//\//_}
        new_root "$R" "$link" || { not_ok "$link: fixture root"; continue; }
        # systemctl's own view (systemd 252): a unit linked only through the link is "disabled".
        # It resolves an absolute link on the build host, so only the relative one is asked.
        [ "$link" = /srv/wants ] ||
                check_eq "$link: systemctl is-enabled proftpd (does not follow the folder)" \
                        "$(systemctl --root="$R" is-enabled proftpd.service 2>&1)" disabled
        before=$(tree_sums "$R/etc/systemd" "$R/srv")
        plan=$(mp "$R" 1G --dry-run)
        check "$link: plan names proftpd left enabled, and the link" \
                grep -q "unit proftpd.service left enabled: linked in /$W -> $link" <<<"$plan"
        check "$link: plan names named.service left enabled" \
                grep -q "unit named.service left enabled" <<<"$plan"
        check_fails "$link: no unit disabled in the plan" grep -q "unit    disable" <<<"$plan"
        check "$link: redis counted (boot starts it)" grep -q "redis" <<<"$plan"
        check "$link: provision at 1G" mp "$R" 1G
        check_eq "$link: nothing changed in the unit folders" \
                "$(tree_sums "$R/etc/systemd" "$R/srv")" "$before"
        check "$link: the rest done (sysctl drop-in)" test -f "$R/etc/sysctl.d/60-memprov.conf"
        check_fails "$link: state records no unit" grep -q '^\[unit ' "$R/var/lib/memprov/state"
done

# Disabled through a real folder at 1G; the admin then makes it a link. --rerun at 8G and --undo
# put nothing back through it and say so; the record stays, and with the folder real again
# --rerun at 8G puts back exactly the links memprov removed.
R=$SCRATCH/later
new_root "$R" ../../../srv/wants && rm "$R/$W" && mv "$R/srv/wants" "$R/$W" ||
        not_ok "later: fixture root"
original=$(cd "$R/etc/systemd/system" && find . -printf '%p %l\n' | sort)
check "later: provision at 1G" mp "$R" 1G
check "later: proftpd disabled" test ! -e "$R/$W/proftpd.service"
mv "$R/$W" "$R/srv/wants" && ln -s ../../../srv/wants "$R/$W"
before=$(tree_sums "$R/etc/systemd" "$R/srv")
out=$(mp "$R" 8G --rerun)
check "later: --rerun at 8G exit 0" test $? -eq 0
check "later: --rerun names proftpd not enabled again" \
        grep -q "unit proftpd.service not enabled again: a folder on the way to /$W/proftpd.service is a symbolic link" <<<"$out"
check_eq "later: --rerun changed nothing in the unit folders" \
        "$(tree_sums "$R/etc/systemd" "$R/srv")" "$before"
check "later: the record stays" grep -q '^\[unit proftpd.service\]' "$R/var/lib/memprov/state"
out=$(mp "$R" 8G --undo --dry-run)
check "later: --undo --dry-run says so too" grep -q "unit named.service not enabled again" <<<"$out"
rm "$R/$W" && mv "$R/srv/wants" "$R/$W"
check "later: --rerun at 8G, the folder real again" mp "$R" 8G --rerun
check_eq "later: exactly the links memprov removed put back" \
        "$(cd "$R/etc/systemd/system" && find . -printf '%p %l\n' | sort)" "$original"

# pool.d a link: the PHP-FPM drop-in is skipped and said so; the pools behind it are counted (as
# php-fpm's include= glob reads them); the run goes on. A real pool.d gets the drop-in.
P=$SCRATCH/php
mkdir -p "$P/etc/php/8.2/fpm" "$P/usr/sbin" "$P/srv/pools" && touch "$P/etc/debian_version" \
        "$P/usr/sbin/php-fpm8.2" &&
        printf '[global]\ninclude=/etc/php/8.2/fpm/pool.d/*.conf\n' >"$P/etc/php/8.2/fpm/php-fpm.conf" &&
        printf '[www]\npm = dynamic\npm.max_children = 5\nlisten = /run/php/php8.2-fpm.sock\n' \
                >"$P/srv/pools/www.conf" && ln -s /srv/pools "$P/etc/php/8.2/fpm/pool.d" ||
        not_ok "php: fixture root"
before=$(tree_sums "$P/srv")
out=$(mp "$P" 1G)
check "pool.d link: exit 0" test $? -eq 0
check "pool.d link: the drop-in skipped, and why" \
        grep -q "skip .*pool.d/zz-memprov.conf.*pool.d is reached through a symbolic link" <<<"$out"
check "pool.d link: the pool behind it counted" grep -q "php8.2 \[www\]" <<<"$out"
check_eq "pool.d link: nothing written through it" "$(tree_sums "$P/srv")" "$before"
check "pool.d link: the rest done" test -f "$P/etc/sysctl.d/60-memprov.conf"
rm "$P/etc/php/8.2/fpm/pool.d" && mv "$P/srv/pools" "$P/etc/php/8.2/fpm/pool.d"
check "pool.d real again: --rerun" mp "$P" 1G --rerun
check "pool.d real again: the drop-in written" test -f "$P/etc/php/8.2/fpm/pool.d/zz-memprov.conf"

# /etc/sysctl.d a link (modules/sysctl.c dropin_behind_link()): the drop-in and vm.swappiness
# skipped and said so, the run goes on (proftpd disabled); linked after memprov wrote the drop-in,
# --rerun and --undo keep it and the record, and --rerun writes it once the folder is real again.
S=$SCRATCH/sysctl
mkdir -p "$S/etc" "$S/srv/sysctl" && touch "$S/etc/debian_version" && cp -a "$TESTS_DIR/fixtures/units/lib" "$S/" &&
        systemctl --root="$S" --quiet enable proftpd.service 2>/dev/null &&
        ln -s /srv/sysctl "$S/etc/sysctl.d" || not_ok "sysctl: fixture root"
out=$(mp "$S" 1G)
check "sysctl.d link: exit 0" test $? -eq 0
check "sysctl.d link: the drop-in skipped, and why" \
        grep -q "skip .*/etc/sysctl.d/60-memprov.conf .*/etc/sysctl.d is reached through a symbolic link" <<<"$out"
check "sysctl.d link: vm.swappiness skipped too" \
        grep -q "sysctl .*skip .*vm.swappiness.*symbolic link" <<<"$out"
check_eq "sysctl.d link: nothing written through it" "$(ls -A "$S/srv/sysctl")" ""
check "sysctl.d link: the rest done (proftpd disabled)" \
        test ! -e "$S/etc/systemd/system/multi-user.target.wants/proftpd.service"
check_fails "sysctl.d link: no swappiness recorded" grep -q '^swappiness' "$S/var/lib/memprov/state"
rm "$S/etc/sysctl.d" && mv "$S/srv/sysctl" "$S/etc/sysctl.d"
check "sysctl.d real: --rerun" mp "$S" 1G --rerun
check "sysctl.d real: the drop-in written" test -f "$S/etc/sysctl.d/60-memprov.conf"
mv "$S/etc/sysctl.d" "$S/srv/sysctl" && ln -s ../srv/sysctl "$S/etc/sysctl.d"
state=$(cat "$S/var/lib/memprov/state")
before=$(tree_sums "$S/srv")
out=$(mp "$S" 1G --rerun)
check "sysctl.d linked later: --rerun exit 0" test $? -eq 0
check "sysctl.d linked later: --rerun says why" grep -q "sysctl.d is reached through a symbolic link" <<<"$out"
check_eq "sysctl.d linked later: --rerun changed nothing through it" "$(tree_sums "$S/srv")" "$before"
check "sysctl.d linked later: the record stays (drop-in)" \
        grep -q '^/etc/sysctl.d/60-memprov.conf = ' "$S/var/lib/memprov/state"
check_eq "sysctl.d linked later: the record stays (swappiness)" \
        "$(grep '^swappiness' "$S/var/lib/memprov/state")" "$(grep '^swappiness' <<<"$state")"
out=$(mp "$S" 1G --undo)
check "sysctl.d linked later: --undo exit 0" test $? -eq 0
check "sysctl.d linked later: --undo says why" grep -q "sysctl.d is reached through a symbolic link" <<<"$out"
check_eq "sysctl.d linked later: --undo removed nothing through it" "$(tree_sums "$S/srv")" "$before"
check "sysctl.d linked later: --undo enabled proftpd again" \
        test -L "$S/etc/systemd/system/multi-user.target.wants/proftpd.service"
# Kept because of the link, not an edit: one reason, in the log and in the undone marker.
check "sysctl.d linked later: --undo's log gives the link as the reason" \
        grep -q "$S/etc/sysctl.d/60-memprov.conf: /etc/sysctl.d is reached through a symbolic link" "$S.err"
check_fails "sysctl.d linked later: --undo does not call it edited by the admin" \
        grep -qi "edited by the admin" "$S.err" "$S/var/lib/memprov/undone"
check_eq "sysctl.d linked later: the undone marker keeps its record under the link's reason" \
        "$(grep -A1 '^# Left by --undo in a folder reached through a symbolic link' "$S/var/lib/memprov/undone" |
                sed -n 2p | cut -d' ' -f1)" /etc/sysctl.d/60-memprov.conf

# The other folders memprov writes a drop-in in (init/preflight.c preflight_links()): each one
# a symbolic link the admin made, on a root copied from this machine's packages (LAMP, and LEMP
# for nginx). The file is "skip" with the folder, the link and what is valid; nothing is written
# through the link; what follows from the file (a2enconf's link to it) is left too; the rest of
# the run is done; the budget is the one of the same root with real folders.
. "$TESTS_DIR/fixtures/services/lib.sh"
. "$TESTS_DIR/fixtures/services/db-shapes.sh"
. "$TESTS_DIR/fixtures/services/web-shapes.sh"
# linked ROOT DIR: DIR (relative to the root) moved to /srv/linked and linked back, absolute.
linked() {
        mkdir -p "$1/$2" "$1/srv" && mv "$1/$2" "$1/srv/linked" && ln -s /srv/linked "$1/$2"
}
# dropin_case NAME ROOT-MAKER DIR FILE [FOLLOWER]: FILE in DIR, linked.
dropin_case() {
        local name=$1 make=$2 dir=$3 file=$4 follower=${5:-} R=$SCRATCH/dropin-$1 out before
        "$make" "$R" >/dev/null 2>&1 || { not_ok "$name: fixture root"; return; }
        cp -a "$R" "$R.real"
        linked "$R" "$dir" || { not_ok "$name: link"; return; }
        before=$(tree_sums "$R/srv")
        out=$(mp "$R" 1G)
        check "$name: exit 0" test $? -eq 0
        check "$name: the drop-in skipped, with the folder, the link and what is valid" grep -qF \
                "skip      $file (0644)  # /$dir is reached through a symbolic link (/$dir -> /srv/linked): left alone; memprov writes nothing through a link it did not make (a real folder lets it)" <<<"$out"
        [ -z "$follower" ] || check "$name: $follower left too" \
                grep -qF "skip      $follower -> ../conf-available/memprov.conf  # follows $file, left alone" <<<"$out"
        check_eq "$name: nothing written through the link" "$(tree_sums "$R/srv")" "$before"
        check "$name: the rest done (sysctl drop-in)" test -f "$R/etc/sysctl.d/60-memprov.conf"
        check_fails "$name: no record of the file" grep -q "^$file = " "$R/var/lib/memprov/state"
        check_eq "$name: the budget as with a real folder" "$(grep '^  budget' <<<"$out")" \
                "$(mp "$R.real" 1G --dry-run | grep '^  budget')"
}
lamp() { debian_root "$1" event; }
# mariadb.service.d as the admin makes it: a folder of their own drop-ins.
lamp_dropins() { debian_root "$1" event && mkdir -p "$1/etc/systemd/system/mariadb.service.d"; }
if [ -d /etc/mysql ] && [ -d /etc/php/8.2 ] && [ -d /etc/apache2 ]; then
        dropin_case mysql lamp etc/mysql/mariadb.conf.d /etc/mysql/mariadb.conf.d/99-memprov.cnf
        dropin_case php-conf.d lamp etc/php/8.2/fpm/conf.d /etc/php/8.2/fpm/conf.d/99-memprov.ini
        dropin_case oom lamp_dropins etc/systemd/system/mariadb.service.d \
                /etc/systemd/system/mariadb.service.d/50-memprov.conf
        dropin_case apache lamp etc/apache2/conf-available /etc/apache2/conf-available/memprov.conf \
                /etc/apache2/conf-enabled/memprov.conf
        [ -d /etc/nginx ] && dropin_case nginx lemp_root etc/nginx/conf.d /etc/nginx/conf.d/memprov.conf
        [ -d /etc/nginx ] || skip "nginx conf.d linked" "/etc/nginx not installed (make test-deps)"

        # Linked after memprov wrote the drop-ins: --rerun at 2G changes nothing through the
        # links and keeps the records; --undo removes nothing through them, says so, and no
        # warning (the empty drop-in folder memprov would remove is the admin's link).
        R=$SCRATCH/dropin-later
        lamp_dropins "$R" && mp "$R" 1G >/dev/null || not_ok "later drop-ins: fixture root"
        linked "$R" etc/mysql/mariadb.conf.d && mkdir -p "$R/srv" &&
                mv "$R/etc/systemd/system/mariadb.service.d" "$R/srv/oom" &&
                ln -s ../../../srv/oom "$R/etc/systemd/system/mariadb.service.d" || not_ok "later drop-ins: links"
        before=$(tree_sums "$R/srv")
        records=$(grep -E '^/etc/(mysql|systemd/system/mariadb)' "$R/var/lib/memprov/state")
        out=$(mp "$R" 2G --rerun)
        check "later drop-ins: --rerun at 2G exit 0" test $? -eq 0
        check_eq "later drop-ins: --rerun changed nothing through the links" "$(tree_sums "$R/srv")" "$before"
        check_eq "later drop-ins: the records stay" \
                "$(grep -E '^/etc/(mysql|systemd/system/mariadb)' "$R/var/lib/memprov/state")" "$records"
        check "later drop-ins: the sysctl drop-in rewritten at 2G" grep -q "swappiness" "$R/etc/sysctl.d/60-memprov.conf"
        out=$(mp "$R" 2G --undo)
        check "later drop-ins: --undo exit 0" test $? -eq 0
        check "later drop-ins: --undo says the cnf is left in place, and why" grep -qF \
                "skip      /etc/mysql/mariadb.conf.d/99-memprov.cnf  # /etc/mysql/mariadb.conf.d is reached through a symbolic link (/etc/mysql/mariadb.conf.d -> /srv/linked): left in place; memprov removes nothing through a link it did not make" <<<"$out"
        check "later drop-ins: --undo says the unit drop-in is left in place" grep -qF \
                "/etc/systemd/system/mariadb.service.d is reached through a symbolic link (/etc/systemd/system/mariadb.service.d -> ../../../srv/oom): left in place" <<<"$out"
        check_eq "later drop-ins: --undo removed nothing through them" "$(tree_sums "$R/srv")" "$before"
        check_fails "later drop-ins: --undo warns of nothing" grep -q warning "$R.err"
        check_fails "later drop-ins: --undo does not call them edited by the admin" \
                grep -qi "edited by the admin" "$R.err" "$R/var/lib/memprov/undone"
        check "later drop-ins: --undo's log names the link" grep -qF \
                "$R/etc/mysql/mariadb.conf.d/99-memprov.cnf: /etc/mysql/mariadb.conf.d is reached through a symbolic link (/etc/mysql/mariadb.conf.d -> /srv/linked): left in place" "$R.err"
        check "later drop-ins: --undo removed the rest" test ! -e "$R/etc/php/8.2/fpm/pool.d/zz-memprov.conf"
else
        skip "drop-in folders linked" "/etc/mysql, /etc/php/8.2 or /etc/apache2 not installed (make test-deps)"
fi

# zram-generator.conf.d and tmpfiles.d (zswap's boot lines): a root booting a kernel with zswap
# and zram (the lines of Debian's generic kernel config that decide, as zram.sh has them), the
# generator installed. Both files skipped, the run goes on; with the folders real they are written.
K=6.1.0-57-amd64
Z=$SCRATCH/kernel
mkdir -p "$Z/etc" "$Z/var/lib" "$Z/boot" "$Z/usr/lib/modules/$K" "$Z/usr/lib/systemd/system-generators" &&
        : >"$Z/etc/fstab" && touch "$Z/etc/debian_version" "$Z/usr/lib/systemd/system-generators/zram-generator" &&
        printf '%s\n' CONFIG_ZSWAP=y CONFIG_ZRAM=m CONFIG_ZSMALLOC=m >"$Z/boot/config-$K" &&
        printf 'kernel/crypto/zstd.ko.xz:\nkernel/drivers/block/zram/zram.ko.xz: kernel/mm/zsmalloc.ko.xz\n' \
                >"$Z/usr/lib/modules/$K/modules.dep" && ln -s "boot/vmlinuz-$K" "$Z/vmlinuz" &&
        linked "$Z" etc/tmpfiles.d && mkdir -p "$Z/srv/zram" "$Z/etc/systemd" &&
        ln -s /srv/zram "$Z/etc/systemd/zram-generator.conf.d" || not_ok "kernel: fixture root"
before=$(tree_sums "$Z/srv")
out=$("$MEMPROV" --defaults "$DEFAULTS" --root "$Z" --assume-ram 512M --set swap.image=yes 2>"$Z.err")
check "tmpfiles.d, zram-generator.conf.d linked: exit 0" test $? -eq 0
check "tmpfiles.d linked: zswap's boot lines skipped, and why" grep -qF \
        "skip      /etc/tmpfiles.d/memprov-zswap.conf (0644)  # /etc/tmpfiles.d is reached through a symbolic link (/etc/tmpfiles.d -> /srv/linked)" <<<"$out"
check "zram-generator.conf.d linked: skipped, and why" grep -qF \
        "skip      /etc/systemd/zram-generator.conf.d/50-memprov.conf (0644)  # /etc/systemd/zram-generator.conf.d is reached through a symbolic link (/etc/systemd/zram-generator.conf.d -> /srv/zram)" <<<"$out"
check_eq "tmpfiles.d, zram-generator.conf.d linked: nothing written through them" "$(tree_sums "$Z/srv")" "$before"
check "tmpfiles.d, zram-generator.conf.d linked: the rest done (swapfile)" test -f "$Z/swapfile"
for d in etc/tmpfiles.d etc/systemd/zram-generator.conf.d; do rm "$Z/$d" && mkdir "$Z/$d"; done
check "tmpfiles.d, zram-generator.conf.d real again: --rerun" \
        "$MEMPROV" --defaults "$DEFAULTS" --root "$Z" --assume-ram 512M --set swap.image=yes --rerun
check "tmpfiles.d real again: written" test -f "$Z/etc/tmpfiles.d/memprov-zswap.conf"
check "zram-generator.conf.d real again: written" test -f "$Z/etc/systemd/zram-generator.conf.d/50-memprov.conf"

exit $T_FAILED
