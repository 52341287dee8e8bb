# shellcheck shell=bash disable=SC2154 # dir (tests/vm/run)
# Scenario 8 (issue 10): the OOM drop-ins help instead of hurt. At 1 GiB:
# - sshd: memprov writes no OOMScoreAdjust for ssh; sshd's listener is at -1000 (its own
#   oom_adjust_setup) and a login's shell at 0 (oom_adjust_restore gives back the start score).
# - PHP-FPM: OOMPolicy=continue and Restart=on-abnormal from memprov's drop-in; a PHP child
#   OOM-killed inside the service (a runtime-only MemoryMax and a request allocating past it)
#   leaves php8.2-fpm active with the same main PID and NRestarts=0; the next request is served.
if boot "$dir" --ram 1G --append memprov.oomtest=1; then
        ok "s8: boot at 1G"
        check_boot_sane s8
        check_eq "s8: ssh.service active" "$(rv oom.ssh.active)" active
        check_eq "s8: no memprov drop-in for ssh" "$(rv oom.ssh.dropins)" ""
        check_eq "s8: ssh.service OOMScoreAdjust unset (0)" "$(rv oom.ssh.unit_score)" 0
        check_eq "s8: sshd listener at -1000 (sshd's own doing)" "$(rv oom.ssh.listener)" -1000
        check_eq "s8: a login's shell and session at 0" "$(rv oom.ssh.session)" "shell:0 sshd_session:0"
        check_eq "s8: php8.2-fpm OOMPolicy=continue" "$(rv oom.php.policy)" continue
        check_eq "s8: php8.2-fpm Restart=on-abnormal" "$(rv oom.php.restart)" on-abnormal
        check_eq "s8: no MemoryHigh by default" "$(rv oom.php.memory_high)" infinity
        check "s8: a request before the test is served" grep -q '^200 live' <<<"$(rv oom.php.warmup)"
        check_fails "s8: the allocating request is not served" grep -q '^200' <<<"$(rv oom.php.hog)"
        kills=$(( $(rv oom.php.oom_kills_after) - $(rv oom.php.oom_kills_before) ))
        check "s8: the kernel OOM-killed a process in php8.2-fpm's cgroup ($kills)" test "$kills" -ge 1
        check_eq "s8: php8.2-fpm still active" "$(rv oom.php.active)" active
        check_eq "s8: php8.2-fpm kept its main PID" "$(rv oom.php.mainpid_same)" yes
        check_eq "s8: php8.2-fpm NRestarts=0" "$(rv oom.php.nrestarts)" 0
        check "s8: the next request is served" grep -q '^200 live' <<<"$(rv oom.php.next)"
        echo "# s8 hog request: $(rv oom.php.hog); MemoryMax $(rv oom.php.memory_max);" \
                "journal OOM lines $(rv oom.php.journal_oom)"
else
        not_ok "s8: boot at 1G"
fi
