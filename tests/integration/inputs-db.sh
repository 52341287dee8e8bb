#!/bin/bash
# Issue 18: the database options memprov reads through the server's include layering are the ones
# the real server reads. For each fixture (tests/fixtures/services/db-shapes.sh) memprov's
# --dry-run --json "inputs.database" is compared with the last value of each option that
# MariaDB's own my_print_defaults prints (mariadbd --print-defaults too) with the fixture's
# /etc/mysql bound over the host's, inside a private mount namespace only. After memprov wrote
# its drop-in, the server's value is memprov's for every option but those an admin's later file
# sets (after_memprov), and the inputs do not change.
[ -n "${MEMPROV_TEST_NS:-}" ] || MEMPROV_TEST_NS=1 exec unshare -m --propagation private bash "$0" "$@"
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/fixtures/services/db-shapes.sh"

for prog in my_print_defaults mariadbd python3; do
        if ! command -v $prog >/dev/null; then
                skip "inputs-db" "$prog not installed (make test-deps)"
                exit 0
        fi
done
before=$(tree_sums /etc/mysql)

# inputs ROOT [--rerun]: memprov's database inputs as "name value after_memprov" lines (with
# --rerun on a provisioned root: a plain --dry-run there previews the boot's report).
inputs() {
        "$MEMPROV" --defaults "$DEFAULTS" --root "$1" --assume-ram 1G --set swap.size=none \
                ${2:-} --dry-run --json 2>/dev/null | python3 -c '
import json, sys
db = json.load(sys.stdin)["inputs"]["database"]
for k, v in sorted(db["options"].items()):
    if v["source"] != "default":
        print(k, v["value"], int(v["after_memprov"]), int(v["kept"]))'
}

# server_values GROUPS...: the last value of each option the server reads, as "name bytes",
# from my_print_defaults' lines (normalized as the server does: - or _, loose-, skip-, K/M/G).
server_values() {
        my_print_defaults "$@" | python3 -c '
import sys
units = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
last = {}
for line in sys.stdin:
    key, _, value = line.strip()[2:].partition("=")
    key = key.replace("-", "_")
    if key.startswith("loose_"):
        key = key[6:]
    if key.startswith(("skip_", "disable_")):
        key, value = key.split("_", 1)[1], "0"
    v = value.lower()
    if v in ("on", "true", "yes", ""):
        v = "1"
    elif v in ("off", "false", "no"):
        v = "0"
    elif v[:-1].isdigit() and v[-1] in units:
        v = str(int(v[:-1]) * units[v[-1]])
    last[key] = v
for k, v in sorted(last.items()):
    print(k, v)'
}

# compare NAME ROOT GROUPS...: every option memprov reports has the server's value.
compare() {
        local name=$1 root=$2 key value late got
        shift 2
        local server
        server=$(server_values "$@")
        while read -r key value late; do
                got=$(awk -v k="$key" '$1 == k { print $2 }' <<<"$server")
                check_eq "$name: $key as the server reads it" "$value" "$got"
        done < <(inputs "$root")
}

# Debian's MariaDB with an admin's files before and after the drop-in, a group for this version
# and one for another, and a line in my.cnf after its !includedir lines.
root=$SCRATCH/debian
db_debian_mariadb "$root" && db_admin_files "$root" && db_versioned_group "$root" && db_data "$root" ||
        not_ok "debian fixture"
mount --bind "$root/etc/mysql" /etc/mysql || not_ok "bind /etc/mysql"
at_exit "umount /etc/mysql"
compare "debian mariadb" "$root" --mysqld
check_eq "debian mariadb: options memprov reads" "$(inputs "$root" | awk '{print $1}' | tr '\n' ' ')" \
        "innodb_buffer_pool_size join_buffer_size key_buffer_size max_connections max_heap_table_size read_buffer_size sort_buffer_size tmp_table_size "
check_eq "debian mariadb: after memprov's drop-in" "$(inputs "$root" | awk '$3 {print $1}' | tr '\n' ' ')" \
        "join_buffer_size key_buffer_size "
check "mariadbd --print-defaults agrees with my_print_defaults" \
        bash -c "[ \"\$(mariadbd --print-defaults | tail -n +2 | tr ' ' '\n' | grep -c .)\" = \"\$(my_print_defaults --mysqld | wc -l)\" ]"
json=$("$MEMPROV" --defaults "$DEFAULTS" --root "$root" --assume-ram 1G --set swap.size=none --dry-run --json 2>/dev/null)
check_eq "debian mariadb: InnoDB data (ibdata1, undo001, *.ibd)" \
        "$(python3 -c 'import json,sys; print(json.load(sys.stdin)["inputs"]["database"]["data_bytes"])' <<<"$json")" \
        $((30 * 1048576))
check_eq "debian mariadb: the plan names the admin's later file" \
        "$("$MEMPROV" --defaults "$DEFAULTS" --root "$root" --assume-ram 1G --set swap.size=none --dry-run 2>/dev/null |
                grep -c "key_buffer_size = 64M ($root/etc/mysql/mariadb.conf.d/zz-panel.cnf:2) is read after memprov's drop-in")" 1

# memprov writes its drop-in: the inputs stay what the server reads without it, and the server
# now reads memprov's value except where an admin's later file wins.
inputs_before=$(inputs "$root")
check "debian mariadb: memprov provisions" "$MEMPROV" --defaults "$DEFAULTS" --root "$root" \
        --assume-ram 1G --set swap.size=none
dropin=$root/etc/mysql/mariadb.conf.d/99-memprov.cnf
check "debian mariadb: drop-in written" test -f "$dropin"
check_eq "debian mariadb: inputs leave memprov's own drop-in out" "$(inputs "$root" --rerun)" "$inputs_before"
server=$(server_values --mysqld)
for key in innodb_buffer_pool_size key_buffer_size sort_buffer_size join_buffer_size; do
        kept=$(awk -v k="$key" '$1 == k { print $4 }' <<<"$inputs_before")
        if [ "$kept" = 1 ]; then
                # An admin's file, before the drop-in (60-admin.cnf) or after it: the admin's wins.
                want=$(awk -v k="$key" '$1 == k { print $2 }' <<<"$inputs_before")
                what="the admin's value"
                check_fails "debian mariadb: memprov leaves $key out" grep -q "^$key = " "$dropin"
        else
                grep -q "^$key = " "$dropin" || continue
                want=$(sed -n "s/^$key = //p" "$dropin" | python3 -c '
import sys; v = sys.stdin.read().strip(); u = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
print(int(v[:-1]) * u[v[-1]] if v[-1] in u else int(v))')
                what="memprov's value"
        fi
        check_eq "debian mariadb: the server reads $what for $key" \
                "$(awk -v k="$key" '$1 == k { print $2 }' <<<"$server")" "$want"
done
umount /etc/mysql

# Debian's 50-server.cnf (the real package's file and dpkg's status from this machine) with an
# admin's edit in its [mysqld]: dpkg's conffile MD5 differs, so the value is the admin's and wins
# (issue 18): memprov leaves it out of its drop-in, counts it and names the file and line, and
# mariadbd --print-defaults reads the admin's value. With dpkg's record of the edited text (as
# if the package shipped it) the value is the distribution's and memprov's drop-in replaces it.
root=$SCRATCH/edited
db_debian_mariadb "$root" || not_ok "edited fixture"
server_cnf=$root/etc/mysql/mariadb.conf.d/50-server.cnf
sed -i '0,/^\[mysqld\]$/s//[mysqld]\ninnodb_buffer_pool_size = 200M/' "$server_cnf"
line=$(grep -n '^innodb_buffer_pool_size = 200M$' "$server_cnf" | cut -d: -f1)
recorded=$(dpkg-query --root="$root" -W -f='${Conffiles}\n' mariadb-server |
        awk '$1 == "/etc/mysql/mariadb.conf.d/50-server.cnf" { print $2 }')
check "edited 50-server.cnf: dpkg records the shipped MD5, the file's differs" \
        test -n "$recorded" -a "$recorded" != "$(md5sum <"$server_cnf" | cut -d' ' -f1)"
check_eq "edited 50-server.cnf: memprov reads the admin's value, kept" \
        "$(inputs "$root" | awk '$1 == "innodb_buffer_pool_size"')" "innodb_buffer_pool_size 209715200 0 1"
check_eq "edited 50-server.cnf: the plan names file and line" \
        "$("$MEMPROV" --defaults "$DEFAULTS" --root "$root" --assume-ram 1G --set swap.size=none --dry-run 2>/dev/null |
                grep -c "innodb_buffer_pool_size = 200M ($root/etc/mysql/mariadb.conf.d/50-server.cnf:$line) is the admin's and wins (a package's file, changed since it was installed: dpkg's checksum differs)")" 1
check_eq "edited 50-server.cnf: the budget counts 200M for the database" \
        "$("$MEMPROV" --defaults "$DEFAULTS" --root "$root" --assume-ram 1G --set swap.size=none --dry-run --json 2>/dev/null |
                python3 -c 'import json,sys; print(sum(l["fixed_bytes"] for l in json.load(sys.stdin)["budget"]["lines"] if l["id"] == "mysqld") >= 200 << 20)')" True
check "edited 50-server.cnf: memprov provisions" "$MEMPROV" --defaults "$DEFAULTS" --root "$root" \
        --assume-ram 1G --set swap.size=none
check_fails "edited 50-server.cnf: no innodb_buffer_pool_size in memprov's drop-in" \
        grep -q '^innodb_buffer_pool_size' "$root"/etc/mysql/mariadb.conf.d/99-memprov.cnf
mount --bind "$root/etc/mysql" /etc/mysql || not_ok "bind /etc/mysql (edited)"
check_eq "edited 50-server.cnf: mariadbd --print-defaults reads the admin's 200M" \
        "$(mariadbd --print-defaults | tr ' ' '\n' | grep '^--innodb[-_]buffer[-_]pool[-_]size=' | tail -1)" \
        "--innodb_buffer_pool_size=200M"
umount /etc/mysql
sum=$(md5sum <"$server_cnf" | cut -d' ' -f1)
sed -i "s| /etc/mysql/mariadb.conf.d/50-server.cnf [0-9a-f]*$| /etc/mysql/mariadb.conf.d/50-server.cnf $sum|" \
        "$root"/var/lib/dpkg/status
check_eq "as shipped (dpkg's record matches): the distribution's value, not kept" \
        "$(inputs "$root" --rerun | awk '$1 == "innodb_buffer_pool_size"')" "innodb_buffer_pool_size 209715200 0 0"
check "as shipped: memprov's drop-in sizes the pool again" "$MEMPROV" --defaults "$DEFAULTS" \
        --root "$root" --assume-ram 1G --set swap.size=none --rerun
mount --bind "$root/etc/mysql" /etc/mysql || not_ok "bind /etc/mysql (as shipped)"
check_eq "as shipped: mariadbd --print-defaults reads memprov's pool last" \
        "$(mariadbd --print-defaults | tr ' ' '\n' | grep '^--innodb[-_]buffer[-_]pool[-_]size=' | tail -1)" \
        "--innodb_buffer_pool_size=$(sed -n 's/^innodb_buffer_pool_size = //p' "$root"/etc/mysql/mariadb.conf.d/99-memprov.cnf)"
umount /etc/mysql

# Debian's MySQL 8 layout: the groups mysqld 8.0 reads (MySQL 8.0 manual 6.2.2.2), from the file
# the fixture's alternatives link names (the host's link names MariaDB's).
root=$SCRATCH/mysql8
db_debian_mysql8 "$root" || not_ok "mysql8 fixture"
printf '[mysqld-8.0]\ntemptable_max_ram = 256M\n[mysqld]\nskip-performance-schema\n' \
        >"$root"/etc/mysql/mysql.conf.d/zz-admin.cnf
mount --bind "$root/etc/mysql" /etc/mysql || not_ok "bind /etc/mysql (mysql8)"
compare "debian mysql 8" "$root" --defaults-file=/etc/mysql/mysql.cnf mysqld server mysqld-8.0
umount /etc/mysql
check_eq "debian mysql 8: options memprov reads" "$(inputs "$root" | awk '{print $1}' | tr '\n' ' ')" \
        "key_buffer_size performance_schema temptable_max_ram "

# Other memory consumers: the packages' units (a minimal one with the same [Install] where the
# package is not installed here), enabled by the real systemctl --root; memcached installed but
# not enabled, dovecot enabled then masked.
root=$SCRATCH/consumers
mkdir -p "$root"/usr/lib/systemd/system "$root"/etc/systemd/system
for unit in redis-server memcached postfix dovecot; do
        cp "/lib/systemd/system/$unit.service" "$root"/usr/lib/systemd/system/ 2>/dev/null ||
                printf '[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n' \
                        >"$root/usr/lib/systemd/system/$unit.service"
done
systemctl --root="$root" enable redis-server.service postfix.service dovecot.service >/dev/null 2>&1
systemctl --root="$root" mask dovecot.service >/dev/null 2>&1
consumers=$("$MEMPROV" --defaults "$DEFAULTS" --root "$root" --assume-ram 1G --set swap.size=none \
        --dry-run --json 2>/dev/null | python3 -c '
import json, sys
for c in json.load(sys.stdin)["inputs"]["consumers"]:
    print(c["name"], c["unit"], c["cost_bytes"], c["source"].split(":")[0])')
check_eq "consumers: enabled ones counted with their measured cost" "$consumers" \
        "redis redis-server.service $((9 * 1048576)) measured
postfix postfix.service $((7 * 1048576)) measured"
check_eq "consumers: named in the plan" "$("$MEMPROV" --defaults "$DEFAULTS" --root "$root" \
        --assume-ram 1G --set swap.size=none --dry-run 2>/dev/null | grep -c \
        'other memory consumers counted: redis (redis-server.service) 9M, postfix (postfix.service) 7M')" 1

# Unused means unused: at 1G the tier disables BIND, PostgreSQL and Mailman while they hold
# nothing, keeps each once it serves zones, databases or lists (and says why), and disables one
# in use all the same when the admin names it in [units] disable.
root=$SCRATCH/inuse
plan_of() { "$MEMPROV" --defaults "$DEFAULTS" --root "$root" --assume-ram 1G --set swap.size=none --dry-run "$@" 2>/dev/null; }
if inuse_units "$root"; then
        plan=$(plan_of)
        for unit in named.service postgresql.service mailman3.service; do
                check "unused: $unit disabled at 1G" grep -q "disable *$unit" <<<"$plan"
        done
        inuse_zones "$root" && inuse_databases "$root" && inuse_lists "$root"
        plan=$(plan_of)
        for unit in named.service postgresql.service postgresql@.service mailman3.service; do
                check_fails "in use: $unit kept" grep -q "disable *$unit" <<<"$plan"
        done
        check "in use: bind kept, the plan says why" grep -qF \
                "bind kept: serves 3 zones of its own (/etc/bind/named.conf.local:9)" <<<"$plan"
        check "in use: postgres kept, the plan says why" grep -qF \
                "postgres kept: 2 user databases (/var/lib/postgresql/15/main/base)" <<<"$plan"
        check "in use: mailman kept, the plan says why" grep -qF \
                "mailman kept: has 1 list (/var/lib/mailman3/lists)" <<<"$plan"
        check_eq "in use: --json inputs.units_in_use" "$(plan_of --json | python3 -c '
import json, sys
for k, v in sorted(json.load(sys.stdin)["inputs"]["units_in_use"].items()):
    print(k, v["kept"])' | tr '\n' ' ')" "bind True mailman True postgres True "
        plan=$(plan_of --set units.disable="auto bind")
        check "in use: the admin's explicit disable is obeyed" grep -q "disable *named.service" <<<"$plan"
        check "in use: ... and the plan says it is in use" grep -qF \
                "bind is in use (serves 3 zones of its own" <<<"$plan"
        check "in use: ... the other groups still kept" grep -qF "postgres kept" <<<"$plan"
        # Disabled while unused, then in use: the rerun enables it again and says why.
        rm -rf "$SCRATCH"/inuse2 && inuse_units "$SCRATCH"/inuse2 &&
                "$MEMPROV" --defaults "$DEFAULTS" --root "$SCRATCH"/inuse2 --assume-ram 1G \
                        --set swap.size=none >/dev/null 2>&1
        check "unused: named.service disabled by the first run" \
                test ! -e "$SCRATCH"/inuse2/etc/systemd/system/multi-user.target.wants/named.service
        inuse_zones "$SCRATCH"/inuse2
        check "in use since: the rerun enables named.service again, saying why" grep -qF \
                "bind, in use: serves 3 zones of its own" < <("$MEMPROV" --defaults "$DEFAULTS" \
                --root "$SCRATCH"/inuse2 --assume-ram 1G --set swap.size=none --rerun --dry-run 2>&1)
else
        not_ok "in-use fixture"
fi

# MariaDB 11.8 (Debian 13's reference image, when built): its own my_print_defaults in the image,
# with 11.8's groups ([mariadb-11], [mariadbd-11.8]) in an admin's file on a tmpfs overlay.
disk=${MEMPROV_IMAGE_CACHE:-/var/cache/memprov-images}/trixie/latest/disk.raw
if [ -f "$disk" ] && mkdir -p "$SCRATCH"/tl "$SCRATCH"/tt "$SCRATCH"/trixie &&
        mount -o loop,ro "$disk" "$SCRATCH"/tl; then
        at_exit "umount -l '$SCRATCH/tl'"
        root=$SCRATCH/trixie
        mount -t tmpfs tmpfs "$SCRATCH"/tt && mkdir -p "$SCRATCH"/tt/u "$SCRATCH"/tt/w &&
                mount -t overlay overlay -o lowerdir="$SCRATCH"/tl,upperdir="$SCRATCH"/tt/u,workdir="$SCRATCH"/tt/w "$root" &&
                at_exit "umount -l '$root'; umount -l '$SCRATCH/tt'"
        printf '[mariadb-11]\nkey_buffer_size = 24M\n[mysqld-11]\nmax_connections = 9\n[mariadbd-11.8]\nsort_buffer_size = 3M\n[mariadb-10.11]\njoin_buffer_size = 5K\n' \
                >"$root"/etc/mysql/mariadb.conf.d/70-admin.cnf
        server=$(chroot "$root" my_print_defaults --mysqld | tr -d '\r')
        check_eq "mariadb 11.8: its own my_print_defaults reads [mariadb-11] and [mariadbd-11.8] only" \
                "$(grep -E 'key_buffer|max_conn|sort_buffer|join_buffer' <<<"$server" | tr '\n' ' ')" \
                "--key_buffer_size=24M --sort_buffer_size=3M "
        check_eq "mariadb 11.8: memprov reads the same" \
                "$(inputs "$root" | grep -E 'key_buffer|max_conn|sort_buffer|join_buffer' | tr '\n' ' ')" \
                "key_buffer_size 25165824 0 1 sort_buffer_size 3145728 0 1 "
else
        skip "mariadb 11.8" "no Debian 13 reference image (make image SUITE=trixie)"
fi

check_eq "host /etc/mysql unchanged" "$(tree_sums /etc/mysql)" "$before"
exit $T_FAILED
