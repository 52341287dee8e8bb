# shellcheck shell=bash disable=SC2154 # kv, section: memprov-report
# Issue 12: zswap's live parameters and memprov's tmpfiles.d line; memprov's structured journal
# records (MESSAGE_ID, MEMPROV_* fields) and the catalog explaining them.
for p in enabled compressor max_pool_percent; do
    kv "zswap.$p" "$(cat "/sys/module/zswap/parameters/$p" 2>/dev/null || echo none)"
done
kv zswap.tmpfiles "$(test -f /etc/tmpfiles.d/memprov-zswap.conf && echo yes || echo no)"
kv zswap.stored_pages "$(cat /sys/kernel/debug/zswap/stored_pages 2>/dev/null || echo unknown)"
kv journal.swap_created "$(journalctl -b -q --no-pager -o cat MESSAGE_ID=75e71f6cf10f4d648bd84a3147c57f18 | wc -l)"
kv journal.swap_created.path "$(journalctl -b -q --no-pager -o json MESSAGE_ID=75e71f6cf10f4d648bd84a3147c57f18 |
    python3 -c 'import json,sys; [print(json.loads(l).get("MEMPROV_PATH","")) for l in sys.stdin]' 2>/dev/null | tail -n 1)"
kv journal.swap_created.tier "$(journalctl -b -q --no-pager -o json MESSAGE_ID=75e71f6cf10f4d648bd84a3147c57f18 |
    python3 -c 'import json,sys; [print(json.loads(l).get("MEMPROV_TIER","")) for l in sys.stdin]' 2>/dev/null | tail -n 1)"
kv journal.unit_disabled "$(journalctl -b -q --no-pager -o cat MESSAGE_ID=d15069287ce94d1cb004a26c08180f83 | wc -l)"
kv journal.catalog "$(journalctl -b -q --no-pager -x MESSAGE_ID=75e71f6cf10f4d648bd84a3147c57f18 |
    grep -c 'memprov created the swapfile')"
section "journalctl -x memprov records" journalctl -b -q --no-pager -x SYSLOG_IDENTIFIER=memprov
