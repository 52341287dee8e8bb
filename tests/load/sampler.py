# Guest-side sampler for the load test (tests/load/run-cell copies it into the guest over ssh and
# runs it as a transient unit, so the image needs no test-only unit for it). Every INTERVAL
# seconds it appends one line to /run/memprov-load/samples: the step the host is running (the
# host writes /run/memprov-load/step), MemAvailable, swap in use, pages swapped in and out so far
# (/proc/vmstat pswpin, pswpout), /proc/pressure/memory avg10,
# and the PSS (smaps_rollup) of PHP-FPM's master and children, Apache's parent and children and
# mariadbd. One long-lived process: starting a sampler per tick costs too much CPU under TCG.
# `--tee DEV`: every line also goes to DEV, the VM's second serial port (boot-vm writes it to the
# host's bootN/report.raw), so the samples survive a guest that stops answering ssh.
import os
import sys
import time

DIR = "/run/memprov-load"
INTERVAL = float(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1][0].isdigit() else 2.0
TEE = sys.argv[sys.argv.index("--tee") + 1] if "--tee" in sys.argv[:-1] else None


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def pss_kb(pid):
    for line in read("/proc/%s/smaps_rollup" % pid).splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def status(pid):
    d = {}
    for line in read("/proc/%s/status" % pid).splitlines():
        k, _, v = line.partition(":")
        d[k] = v.strip()
    return d


def sample():
    mem = {}
    for line in read("/proc/meminfo").splitlines():
        k, _, v = line.partition(":")
        mem[k] = int(v.split()[0])
    psi = {}
    for line in read("/proc/pressure/memory").splitlines():
        f = line.split()
        psi[f[0]] = float(f[1].split("=")[1])
    vm = {}
    for line in read("/proc/vmstat").splitlines():
        k, _, v = line.partition(" ")
        if k in ("pswpin", "pswpout"):
            vm[k] = int(v)
    s = {"memavail_kb": mem["MemAvailable"], "swap_used_kb": mem["SwapTotal"] - mem["SwapFree"],
         "psi_some10": psi.get("some", 0.0), "psi_full10": psi.get("full", 0.0),
         "pswpin": vm.get("pswpin", 0), "pswpout": vm.get("pswpout", 0),
         "fpm_master_kb": 0, "fpm_child_max_kb": 0, "fpm_children": 0, "fpm_children_kb": 0,
         "apache_parent_kb": 0, "apache_child_max_kb": 0, "apache_children": 0,
         "apache_threads_max": 0, "mysqld_kb": 0}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        comm = read("/proc/%s/comm" % pid).strip()
        if comm.startswith("php-fpm"):
            cmd = read("/proc/%s/cmdline" % pid)
            p = pss_kb(pid)
            if "master process" in cmd:
                s["fpm_master_kb"] += p
            else:
                s["fpm_children"] += 1
                s["fpm_children_kb"] += p
                s["fpm_child_max_kb"] = max(s["fpm_child_max_kb"], p)
        elif comm == "apache2":
            st = status(pid)
            p = pss_kb(pid)
            if st.get("PPid") == "1":
                s["apache_parent_kb"] += p
            else:
                s["apache_children"] += 1
                s["apache_child_max_kb"] = max(s["apache_child_max_kb"], p)
                s["apache_threads_max"] = max(s["apache_threads_max"], int(st.get("Threads", "0")))
        elif comm in ("mariadbd", "mysqld"):
            s["mysqld_kb"] += pss_kb(pid)
    return s


def fcgi(params):
    """One FastCGI request to the [www] pool's socket (PHP-FPM's own protocol, as Apache's
    mod_proxy_fcgi sends it), the body of the answer."""
    import socket
    import struct

    def rec(t, body):
        return struct.pack("!BBHHBB", 1, t, 1, len(body), 0, 0) + body

    def nv(k, v):
        k, v = k.encode(), v.encode()
        return bytes([len(k), len(v)]) + k + v
    sock = [f for f in os.listdir("/run/php") if f.endswith("-fpm.sock")][0]
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(60)
    s.connect("/run/php/" + sock)
    s.sendall(rec(1, struct.pack("!HB5x", 1, 0)) + rec(4, b"".join(nv(k, v) for k, v in params.items()))
              + rec(4, b"") + rec(5, b""))
    buf = b""
    while True:
        c = s.recv(65536)
        if not c:
            break
        buf += c
    out, i = b"", 0
    while i + 8 <= len(buf):
        _, t, _, n, pad, _ = struct.unpack("!BBHHBB", buf[i:i + 8])
        if t == 6:
            out += buf[i + 8:i + 8 + n]
        i += 8 + n + pad
    return out.split(b"\r\n\r\n", 1)[-1]


def fpm_status():
    """The [www] pool's status page (pm.status_path from the image's www-status.conf) over its
    FastCGI socket, ?full: the largest "last request memory" (PHP's peak heap of the last
    request each child served, memory_get_peak_usage(true)) and the pool's counters."""
    import json

    d = json.loads(fcgi({"SCRIPT_NAME": "/fpm-status", "SCRIPT_FILENAME": "/fpm-status",
                         "REQUEST_URI": "/fpm-status?full&json", "QUERY_STRING": "full&json",
                         "REQUEST_METHOD": "GET", "SERVER_PROTOCOL": "HTTP/1.1"}))
    mem = max([p.get("last request memory", 0) for p in d.get("processes", [])] or [0])
    print("last_request_memory_max=%d max_children_reached=%s listen_queue_max=%s accepted=%s" % (
        mem, d.get("max children reached"), d.get("max listen queue"), d.get("accepted conn")))


# OPcache's shared segment as the pool's children see it (opcache_get_status(), PHP's manual):
# whether WordPress's scripts fit (cache_full, oom_restarts) and were compiled once (misses).
OPCACHE_PHP = """<?php $s = opcache_get_status(false); $m = $s['memory_usage']; $t = $s['opcache_statistics'];
printf("used_mb=%.1f free_mb=%.1f wasted_mb=%.1f scripts=%d hits=%d misses=%d oom_restarts=%d hash_restarts=%d cache_full=%d interned_used_mb=%.1f interned_free_mb=%.1f",
    $m['used_memory'] / 1048576, $m['free_memory'] / 1048576, $m['wasted_memory'] / 1048576,
    $t['num_cached_scripts'], $t['hits'], $t['misses'], $t['oom_restarts'], $t['hash_restarts'],
    $s['cache_full'] ? 1 : 0, $s['interned_strings_usage']['used_memory'] / 1048576,
    $s['interned_strings_usage']['free_memory'] / 1048576);
"""


def opcache_status():
    f = os.path.join(DIR, "opcache-status.php")
    with open(f, "w") as out:
        out.write(OPCACHE_PHP)
    print(fcgi({"SCRIPT_NAME": "/opcache-status.php", "SCRIPT_FILENAME": f, "REQUEST_METHOD": "GET",
                "QUERY_STRING": "", "REQUEST_URI": "/opcache-status.php",
                "SERVER_PROTOCOL": "HTTP/1.1"}).decode(errors="replace").strip())


# The services' cgroups (cgroup v2, Debian 12's and 13's systemd): their CPU time is where a
# served page's guest CPU went (session 8's full cell cost 16-29% more per page than units).
# nginx for `run-cell --web nginx` (issue 23); a unit that does not run has no cgroup: "?".
UNITS = (("db", "mariadb.service"), ("fpm", "php8.2-fpm.service"), ("web", "apache2.service"),
         ("nginx", "nginx.service"))
CGROUP = "/sys/fs/cgroup/system.slice/%s/"


def cgroup_keyed(unit, name):
    """A cgroup v2 flat-keyed file of UNIT ("key value" lines: cpu.stat, memory.events), as a
    dict; empty when the unit has no cgroup."""
    return dict(l.split() for l in read(CGROUP % unit + name).splitlines() if len(l.split()) == 2)


def cpu():
    """One line: each service cgroup's CPU time so far (cpu.stat usage_usec), the guest's busy
    and idle CPU time (/proc/stat's first line, USER_HZ ticks as microseconds), and PHP-FPM's
    memory.events "high" count (times the cgroup went over MemoryHigh= and was reclaimed and
    throttled: cgroup-v2.rst) and memory.current."""
    out = []
    for tag, unit in UNITS:
        st = cgroup_keyed(unit, "cpu.stat")
        out.append("%s_us=%s %s_sys_us=%s" % (tag, st.get("usage_usec", "?"), tag, st.get("system_usec", "?")))
    f = read("/proc/stat").splitlines()[0].split()
    hz = os.sysconf("SC_CLK_TCK")
    t = [int(x) * 1000000 // hz for x in f[1:]]
    # user nice system idle iowait irq softirq steal
    out.append("busy_us=%d idle_us=%d" % (t[0] + t[1] + t[2] + t[5] + t[6] + t[7], t[3] + t[4]))
    fpm = UNITS[1][1]
    ev = cgroup_keyed(fpm, "memory.events")
    out.append("fpm_high=%s fpm_mem_kb=%d" % (ev.get("high", "?"), int(read(CGROUP % fpm + "memory.current") or 0) // 1024))
    print(" ".join(out))


if len(sys.argv) > 1 and sys.argv[1] == "--opcache-status":
    try:
        opcache_status()
    except Exception as e:
        print("error=%s" % type(e).__name__)
    sys.exit(0)

if len(sys.argv) > 1 and sys.argv[1] == "--cpu":
    cpu()
    sys.exit(0)

if len(sys.argv) > 1 and sys.argv[1] == "--fpm-status":
    try:
        fpm_status()
    except Exception as e:
        print("error=%s" % type(e).__name__)
    sys.exit(0)

os.makedirs(DIR, exist_ok=True)
tee = open(TEE, "w", buffering=1) if TEE else None
with open(os.path.join(DIR, "samples"), "a", buffering=1) as out:
    while True:
        step = read(os.path.join(DIR, "step")).strip() or "idle"
        s = sample()
        line = "S t=%.1f step=%s %s\n" % (time.monotonic(), step,
                                          " ".join("%s=%s" % kv for kv in s.items()))
        out.write(line)
        if tee:
            tee.write(line)
        time.sleep(INTERVAL)
