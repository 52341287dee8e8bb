# shellcheck shell=bash disable=SC2154 # kv, section, php_fpm come from memprov-report
# Issue 10, scenario 8 (memprov.oomtest=1 on the kernel command line):
# - sshd protects itself: its listener runs at oom_score_adj -1000 (OpenSSH's oom_adjust_setup)
#   and a login's shell at the score sshd was started with (0: memprov writes none for ssh).
# - A PHP child OOM-killed inside the release's PHP-FPM (php8.2-fpm, php8.4-fpm; a test-only
#   MemoryMax, set at runtime, and a request allocating past it) leaves the service active,
#   same main PID, NRestarts=0 (OOMPolicy=continue), and the next request is served.
oomtest=0
read -r -a oom_words </proc/cmdline
for w in "${oom_words[@]}"; do
    case $w in memprov.oomtest=*) oomtest=${w#*=} ;; esac
done

# GET URL: "STATUS BODY-START" (STATUS 0 when no HTTP answer).
oom_get() {
    python3 - "$1" <<'PY'
import sys, urllib.request, urllib.error
try:
    r = urllib.request.urlopen(sys.argv[1], timeout=120)
    print(r.status, r.read()[:40].decode(errors="replace").strip())
except urllib.error.HTTPError as e:
    print(e.code, "")
except Exception as e:
    print(0, str(e)[:60])
PY
}

oom_ssh() {
    local pid key=/run/oomtest-key
    pid=$(systemctl show -p MainPID --value ssh.service)
    kv oom.ssh.active "$(systemctl is-active ssh.service)"
    kv oom.ssh.unit_score "$(systemctl show -p OOMScoreAdjust --value ssh.service)"
    kv oom.ssh.dropins "$(ls /etc/systemd/system/ssh.service.d 2>/dev/null | tr '\n' ,)"
    kv oom.ssh.listener "$(cat "/proc/$pid/oom_score_adj" 2>/dev/null)"
    rm -f "$key" "$key.pub"
    ssh-keygen -q -t ed25519 -N '' -f "$key" >/dev/null
    install -d -m 0700 /root/.ssh
    cat "$key.pub" >>/root/.ssh/authorized_keys
    chmod 0600 /root/.ssh/authorized_keys
    # In the session: the shell's own score and its parent's (sshd's per-session process).
    kv oom.ssh.session "$(timeout 120 ssh -i "$key" -o BatchMode=yes -o StrictHostKeyChecking=no \
        -o UserKnownHostsFile=/dev/null root@127.0.0.1 \
        'echo "shell:$(cat /proc/$$/oom_score_adj) sshd_session:$(cat /proc/$PPID/oom_score_adj)"' \
        2>/run/oomtest-ssh.err)"
    section "ssh login (stderr)" cat /run/oomtest-ssh.err
}

oom_php() {
    local u=$php_fpm.service pid0 cur max cg=/sys/fs/cgroup/system.slice/$php_fpm.service
    printf '<?php echo "live ", getmypid(), "\\n";\n' >"$(web_root)/live.php"
    # 64 x 8 MiB, touched: far past the test's MemoryMax.
    printf '<?php ini_set("memory_limit", "-1"); $a = []; for ($i = 0; $i < 64; $i++) $a[] = str_repeat("x", 8 << 20); echo "survived\\n";\n' \
        >"$(web_root)/oomtest.php"
    kv oom.php.policy "$(systemctl show -p OOMPolicy --value "$u")"
    kv oom.php.restart "$(systemctl show -p Restart --value "$u")"
    kv oom.php.memory_high "$(systemctl show -p MemoryHigh --value "$u")"
    kv oom.php.warmup "$(oom_get http://127.0.0.1/live.php)"
    pid0=$(systemctl show -p MainPID --value "$u")
    cur=$(systemctl show -p MemoryCurrent --value "$u")
    max=$((cur + 64 * 1024 * 1024))
    kv oom.php.memory_max "$max"
    # Test only, runtime only: gone at the next boot. No swap for the cgroup, or the kernel
    # would swap the request out instead of killing it.
    systemctl set-property --runtime "$u" MemoryMax="$max" MemorySwapMax=0
    kv oom.php.oom_kills_before "$(sed -n 's/^oom_kill //p' "$cg/memory.events")"
    kv oom.php.hog "$(oom_get http://127.0.0.1/oomtest.php)"
    sleep 3
    kv oom.php.oom_kills_after "$(sed -n 's/^oom_kill //p' "$cg/memory.events")"
    systemctl set-property --runtime "$u" MemoryMax=infinity MemorySwapMax=infinity
    kv oom.php.active "$(systemctl is-active "$u")"
    kv oom.php.mainpid_same "$([ "$(systemctl show -p MainPID --value "$u")" = "$pid0" ] && echo yes || echo no)"
    kv oom.php.nrestarts "$(systemctl show -p NRestarts --value "$u")"
    kv oom.php.next "$(oom_get http://127.0.0.1/live.php)"
    kv oom.php.journal_oom "$(journalctl -b -u "$u" -q --no-pager -o cat | grep -c 'killed by the OOM killer')"
    section "$php_fpm journal (OOM test)" journalctl -b -u "$u" -q --no-pager -o short-monotonic
    section "kernel: killed processes" sh -c "journalctl -b -k -q --no-pager -o short-monotonic | grep -i -A1 'killed process'"
}

if [ "$oomtest" = 1 ]; then
    oom_ssh
    oom_php
fi
