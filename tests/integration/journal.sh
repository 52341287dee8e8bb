#!/bin/bash
# journald: a private systemd-journald (real, in this test's mount namespace, its sockets and
# files on tmpfs) receives memprov's records when memprov's stderr is a journal stream and
# JOURNAL_STREAM names it, as systemd sets it for a unit. Each event is one record with its
# MESSAGE_ID and MEMPROV_* fields; the catalog (catalog/memprov.catalog) compiles with
# journalctl --update-catalog and `journalctl -x` explains a record; without a journal the plain
# lines stay. Runs memprov under --root only: the events are the same live.
source "$(dirname "$0")/../lib.sh"
enter_mount_namespace "$@"
[ "$(id -u)" = 0 ] || { skip "journal integration" "needs root"; exit 0; }
JOURNALD=/lib/systemd/systemd-journald
[ -x "$JOURNALD" ] || { skip "journal integration" "no systemd-journald"; exit 0; }
CATALOG=$TESTS_DIR/../catalog/memprov.catalog

# The catalog ids are the ones the code sends.
ids_code=$(sed -n 's/^#define MEMPROV_MESSAGE_[A-Z_]* *"\([0-9a-f]*\)"/\1/p' "$TESTS_DIR/../lib/journal.h" | sort)
ids_catalog=$(sed -n 's/^-- \([0-9a-f]\{32\}\)$/\1/p' "$CATALOG" | sort)
check_eq "catalog and lib/journal.h name the same MESSAGE_IDs" "$ids_catalog" "$ids_code"
check_eq "seven MESSAGE_IDs" "$(wc -l <<<"$ids_code")" 7

mkdir -p /run/systemd /run/log
mount -t tmpfs tmpfs /run/systemd && mount -t tmpfs tmpfs /run/log || { not_ok "tmpfs for journald"; exit 1; }
[ -d /var/log/journal ] && mount -t tmpfs tmpfs /var/log/journal
mkdir -p /run/systemd/journal
"$JOURNALD" >"$SCRATCH/journald.log" 2>&1 &
jpid=$!
at_exit "kill $jpid"
for _ in $(seq 50); do [ -S /run/systemd/journal/stdout ] && break; sleep 0.1; done
check "private journald is up" test -S /run/systemd/journal/stdout

# memprov with stderr and stdout on a journal stream, JOURNAL_STREAM naming it (as systemd does).
in_journal() {
        systemd-cat -t memprov-test env MEMPROV_BIN="$MEMPROV" bash -c \
                'JOURNAL_STREAM=$(stat -L -c %d:%i /proc/self/fd/2) exec "$MEMPROV_BIN" "$@"' _ "$@"
}
records() { # records FIELD=VALUE...: JSON lines of the matching records
        journalctl --sync 2>/dev/null
        sleep 0.5
        journalctl -D /run/log/journal --no-pager -o json "$@" 2>/dev/null
}
field() { python3 -c 'import json,sys; [print(json.loads(l).get(sys.argv[1],"")) for l in sys.stdin if l.strip()]' "$1" 2>/dev/null; } # grep may stop reading early

R=$SCRATCH/root
cp -a "$TESTS_DIR/fixtures/el" "$R"
mkdir -p "$R/var/lib" "$R/usr/lib/systemd/system" "$R/etc/systemd/system/multi-user.target.wants"
printf '[Unit]\nDescription=x\n[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n' \
        >"$R/usr/lib/systemd/system/proftpd.service"
ln -s /usr/lib/systemd/system/proftpd.service "$R/etc/systemd/system/multi-user.target.wants/proftpd.service"
MP=(--defaults "$DEFAULTS" --root "$R" --assume-ram 512M --assume-cpus 2 --set swap.image=yes --set "tier 512M.php.max_children=64")
in_journal "${MP[@]}" >/dev/null 2>&1
check "provisioning run under the journal" test $? = 0

out=$(records MESSAGE_ID=75e71f6cf10f4d648bd84a3147c57f18)
check_eq "swap created: one record" "$(grep -c . <<<"$out")" 1
check_eq "swap created: MEMPROV_PATH" "$(field MEMPROV_PATH <<<"$out")" /swapfile
check_eq "swap created: MEMPROV_TIER" "$(field MEMPROV_TIER <<<"$out")" 512M
check_eq "swap created: MEMPROV_RAM_BYTES" "$(field MEMPROV_RAM_BYTES <<<"$out")" 536870912
check_eq "swap created: MEMPROV_SWAP_BYTES" "$(field MEMPROV_SWAP_BYTES <<<"$out")" "$(stat -c %s "$R/swapfile")"
check_eq "swap created: PRIORITY info" "$(field PRIORITY <<<"$out")" 6
check_eq "swap created: SYSLOG_IDENTIFIER" "$(field SYSLOG_IDENTIFIER <<<"$out")" memprov
out=$(records MESSAGE_ID=d15069287ce94d1cb004a26c08180f83)
check_eq "unit disabled: MEMPROV_UNIT" "$(field MEMPROV_UNIT <<<"$out")" proftpd.service
out=$(records MESSAGE_ID=88c1ac06fae341e594c5c69d610b16fb)
check "budget lowered: a record per lowered value" test "$(grep -c . <<<"$out")" -ge 1
check "budget lowered: process.max named" grep -x process.max <(field MEMPROV_SETTING <<<"$out")
check "budget lowered: MEMPROV_WANTED 64" grep -x 64 <(field MEMPROV_WANTED <<<"$out")

# The plan listing on stdout (the same journal stream): a record per line with the run's fields,
# an event's line replaced by its event record, nothing plain (issue 12).
out=$(records SYSLOG_IDENTIFIER=memprov "MESSAGE=RAM 512M, tier 512M, 2 vCPUs (--assume-cpus)")
check_eq "listing: the header line is one record" "$(grep -c . <<<"$out")" 1
check_eq "listing: the header carries MEMPROV_TIER" "$(field MEMPROV_TIER <<<"$out")" 512M
out=$(records SYSLOG_IDENTIFIER=memprov MEMPROV_PATH=/etc/sysctl.d/60-memprov.conf)
check "listing: a file line is a record with its MEMPROV_PATH" \
        grep -q '^file *written */etc/sysctl.d/60-memprov.conf' <(field MESSAGE <<<"$out")
check_eq "listing: ... at PRIORITY info, no MESSAGE_ID" "$(field PRIORITY <<<"$out")/$(field MESSAGE_ID <<<"$out")" 6/
out=$(records SYSLOG_IDENTIFIER=memprov MEMPROV_PATH=/swapfile)
check_eq "listing: the swap line is the swap-created record only (no plain copy)" \
        "$(field MESSAGE_ID <<<"$out")" 75e71f6cf10f4d648bd84a3147c57f18
out=$(records SYSLOG_IDENTIFIER=memprov MEMPROV_UNIT=proftpd.service)
check_eq "listing: the unit line is the unit-disabled record only" \
        "$(field MESSAGE_ID <<<"$out")" d15069287ce94d1cb004a26c08180f83
check_eq "listing: no plain line in the journal" "$(records SYSLOG_IDENTIFIER=memprov-test | grep -c .)" 0
# A preview under the journal: its lines as records, no event (nothing happened).
in_journal "${MP[@]}" --rerun --dry-run >/dev/null 2>&1
check_eq "dry-run under the journal: still one swap-created record" \
        "$(records MESSAGE_ID=75e71f6cf10f4d648bd84a3147c57f18 | grep -c .)" 1
check_eq "dry-run under the journal: its lines are records, none plain" \
        "$(records SYSLOG_IDENTIFIER=memprov "MESSAGE=RAM 512M, tier 512M, 2 vCPUs (--assume-cpus)" | grep -c .)/$(records SYSLOG_IDENTIFIER=memprov-test | grep -c .)" 2/0
# --json is for a program: it stays one plain document even there.
in_journal "${MP[@]}" --rerun --dry-run --json >/dev/null 2>&1
check "--json under the journal: the document as it is" \
        grep -q '"tier"' <(records SYSLOG_IDENTIFIER=memprov-test | field MESSAGE)

# The admin edits a managed file: the next --rerun leaves it alone, one record says so.
echo "vm.swappiness = 1" >>"$R/etc/sysctl.d/60-memprov.conf"
in_journal "${MP[@]}" --rerun >/dev/null 2>&1
out=$(records MESSAGE_ID=1dfb59158c7240f9824d0aae6e91441c)
check_eq "file kept: MEMPROV_PATH" "$(field MEMPROV_PATH <<<"$out")" /etc/sysctl.d/60-memprov.conf
check_eq "file kept: PRIORITY notice" "$(field PRIORITY <<<"$out")" 5

# An error: one record, PRIORITY err, its MESSAGE_ID; stderr carries no plain copy.
in_journal "${MP[@]}" --rerun --set swap.size=lots >/dev/null 2>&1
out=$(records MESSAGE_ID=8ae7ec3ef60f45268661b5e22cd86019)
check_eq "error: one record" "$(grep -c . <<<"$out")" 1
check_eq "error: PRIORITY err" "$(field PRIORITY <<<"$out")" 3
check "error: the message names the cause" grep 'invalid value for swap.size: "lots"' <(field MESSAGE <<<"$out")
check_eq "error: no plain 'memprov: error:' line in the journal" \
        "$(records SYSLOG_IDENTIFIER=memprov-test | field MESSAGE | grep -c '^memprov: error:')" 0

# journalctl -x explains a record from the compiled catalog (systemd's own catalogs plus ours).
mkdir -p "$SCRATCH/catalog" "$SCRATCH/catalog-db"
cp /usr/lib/systemd/catalog/*.catalog "$SCRATCH/catalog/" 2>/dev/null
cp "$CATALOG" "$SCRATCH/catalog/"
mount --bind "$SCRATCH/catalog" /usr/lib/systemd/catalog &&
        mkdir -p /var/lib/systemd/catalog && mount --bind "$SCRATCH/catalog-db" /var/lib/systemd/catalog
check "journalctl --update-catalog accepts memprov.catalog" journalctl --update-catalog
out=$(journalctl -D /run/log/journal --no-pager -x MESSAGE_ID=75e71f6cf10f4d648bd84a3147c57f18 2>&1)
check "journalctl -x: the subject, with the record's fields" grep -q "memprov created the swapfile /swapfile" <<<"$out"
check "journalctl -x: the explanation" grep -q "for the memory" <<<"$out"

# Without a journal: the plain line on stderr, no record.
before=$(records MESSAGE_ID=8ae7ec3ef60f45268661b5e22cd86019 | grep -c .)
err=$("$MEMPROV" "${MP[@]}" --rerun --set swap.size=lots 2>&1 >/dev/null)
check "no journal: plain error line" grep -q '^memprov: error: --set: invalid value for swap.size: "lots"' <<<"$err"
check_eq "no journal: no record" "$(records MESSAGE_ID=8ae7ec3ef60f45268661b5e22cd86019 | grep -c .)" "$before"
# JOURNAL_STREAM inherited while stderr goes elsewhere: plain lines.
err=$(JOURNAL_STREAM=1:1 "$MEMPROV" "${MP[@]}" --rerun --set swap.size=lots 2>&1 >/dev/null)
check "stale JOURNAL_STREAM: plain error line" grep -q '^memprov: error:' <<<"$err"
exit $T_FAILED
