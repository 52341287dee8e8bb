#!/bin/bash
# Issue 18: the sizing model's invariants for every tier (512M..64G), 1 and 2 vCPUs, and every
# machine shape (tests/fixtures/services/model-shapes.sh): Debian, EL, a panel with two PHP
# versions and 12 pools, a pool with its own memory_limit, MySQL 8, an admin's cnf, nginx
# instead of Apache, prefork + mod_php. Read from --dry-run --json (nothing is written):
# - every PHP process (each master's process.max, mod_php's MaxRequestWorkers) fits within
#   max_connections minus the reserve;
# - no drop-in writes memory_limit (never below the pool's or the distribution's);
# - ServerLimit > MaxRequestWorkers / ThreadsPerChild;
# - every sized number names its bound (cpu, steady, burst, floor, admin, ...).
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/fixtures/services/lib.sh"
. "$TESTS_DIR/fixtures/services/db-shapes.sh"
. "$TESTS_DIR/fixtures/services/model-shapes.sh"

for dir in /etc/apache2 /etc/php/8.2 /etc/mysql; do
        if [ ! -d "$dir" ]; then
                skip "model-invariants" "$dir missing (make test-deps)"
                exit 0
        fi
done

reserve=$(sed -n 's/^connection_reserve = //p' "$DEFAULTS/20-services.conf")

# invariants DIR: one TAP line per plan DIR/SHAPE_TIER_CPUS.json (one python for them all: its
# start costs about a second on a loaded host).
invariants() {
        RESERVE=$reserve python3 - "$1" <<'PY'
import glob, json, os, re, sys
def check(plan, shape, reserve):
    files = {f["path"]: f.get("content") or "" for f in plan.get("files", [])}
    def values(path_re, key):
        out = []
        for path, text in files.items():
            if re.search(path_re, path):
                out += [int(v) for v in re.findall(r"^\s*" + re.escape(key) + r"\s*=?\s*(\d+)", text, re.M)]
        return out
    bad = []
    budget = plan.get("budget", {})
    lines = {l["id"]: l for l in budget.get("lines", [])}
    php = sum(l["count"] for l in lines.values() if l["setting"] == "process.max")
    if "apache" in lines and lines["apache"].get("bounds", {}).get("cpu"):
        php += lines["apache"]["count"]  # mod_php: every Apache child is a PHP process
    pmax = values(r"pool\.d/zz-memprov\.conf$|php-fpm\.d/zz-memprov\.conf$", "process.max")
    admin_masters = [l for l in lines.values() if l["setting"] == "process.max" and l["bound"] == "admin"]
    if not admin_masters and sorted(pmax) != sorted(l["count"] for l in lines.values() if l["setting"] == "process.max"):
        bad.append("process.max written %s != the budget" % pmax)
    if "mysqld" in lines:
        conn = lines["mysqld"]["count"]
        written = values(r"99-memprov\.cnf$", "max_connections")
        if lines["mysqld"]["bound"] != "admin" and written != [conn]:
            bad.append("max_connections written %s != %d" % (written, conn))
        if php > conn - reserve:
            bad.append("%d PHP processes > max_connections %d - reserve %d" % (php, conn, reserve))
    for path, text in files.items():
        if re.search(r"memory_limit", text) and re.search(r"/php|php-fpm|apache2/conf", path):
            bad.append("%s writes memory_limit" % path)
    for path in files:
        if re.search(r"apache2/conf-available/memprov\.conf$|httpd/conf\.d/memprov\.conf$", path):
            sl, mrw = values(path, "ServerLimit"), values(path, "MaxRequestWorkers")
            tpc = values(path, "ThreadsPerChild") or [1]
            if not sl or not mrw or sl[0] <= mrw[0] // tpc[0]:
                bad.append("ServerLimit %s not above MaxRequestWorkers %s / ThreadsPerChild %s" % (sl, mrw, tpc))
    named = {"cpu", "steady", "burst", "floor", "admin", "config", "tier", "children", "share", "room", "wanted"}
    for l in lines.values():
        if l["setting"] and l["bound"] not in named:
            bad.append("%s %s: no bound named (%s)" % (l["service"], l["setting"], l["bound"]))
        if l["setting"] == "process.max" and l["bound"] not in ("cpu", "steady", "burst", "floor", "admin", "config"):
            bad.append("%s: bound %s" % (l["service"], l["bound"]))
    ram = budget["ram_bytes"]
    if shape in ("panel",):
        for n in range(1, 12):
            if not any("[site%d]" % n in t for t in files.values()):
                bad.append("pool site%d not in a drop-in" % n)
        # site5's memory_limit -1 counts at the RAM: the 8.2 master's burst cost is the mean of
        # five 256M pools and the RAM (it once wrapped round below 256M).
        want = (5 * (256 << 20) + ram) // 6
        if lines["php 8.2"]["burst_bytes"] != want:
            bad.append("php 8.2 burst %d, want %d" % (lines["php 8.2"]["burst_bytes"], want))
        if not any("pool site5: memory_limit -1 (unlimited)" in n for n in plan.get("notes", [])):
            bad.append("no note for the unlimited pool site5")
    if shape == "mysql8":
        cnf = [t for p, t in files.items() if p.endswith("99-memprov.cnf")][0]
        if "query_cache" in cnf or "temptable_max_ram" not in cnf:
            bad.append("mysql8 drop-in: query_cache or no temptable_max_ram")
        if budget["ram_bytes"] <= 2 << 30 and "performance_schema = OFF" not in cnf:
            bad.append("mysql8 drop-in: performance_schema on at a small tier")
    if shape == "admin-cnf":
        if lines["mysqld"]["bound"] != "admin" or lines["mysqld"]["count"] != 500:
            bad.append("admin max_connections 500 not budgeted as the admin's: %s" % lines["mysqld"])
        if values(r"99-memprov\.cnf$", "max_connections"):
            bad.append("max_connections written although the admin's later file wins")
    if shape == "mod-php":
        if "apache" not in lines or lines["apache"]["bound"] not in ("cpu", "steady", "burst", "floor"):
            bad.append("mod_php: MaxRequestWorkers not sized by the model")
        # burst_bytes: the heap at memory_limit on top of the typical child (lib/budget.h).
        if lines["apache"]["burst_bytes"] != ram:
            bad.append("mod_php: memory_limit -1 not counted at the RAM: %s" % lines["apache"])
        web = [t for p, t in files.items() if "apache2.service.d" in p]
        if not web or "MemoryMax=" not in web[0]:
            bad.append("mod_php: Apache gets no MemoryMax")
    if shape == "nginx" and any("apache2" in p for p in files):
        bad.append("nginx shape: an Apache drop-in")
    return bad

reserve = int(os.environ["RESERVE"])
for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.json"))):
    shape, tier, cpus = os.path.basename(path)[:-5].split("_")
    try:
        with open(path) as f:
            bad = check(json.load(f), shape, reserve)
    except Exception as e:  # no plan, or not the shape expected
        bad = ["no usable plan: %r" % e]
    name = "%s %s %s vCPU: invariants" % (shape, tier, cpus)
    print(("not ok - %s: %s" % (name, "; ".join(bad))) if bad else "ok - " + name)
PY
}

mkdir -p "$SCRATCH/plans"
for name in debian el panel pool-limit mysql8 admin-cnf nginx mod-php; do
        root=$SCRATCH/$name
        if ! shape "$root" "$name" >/dev/null 2>&1; then
                not_ok "$name: fixture"
                continue
        fi
        for cpus in 1 2; do
                for tier in 512M 1G 2G 4G 8G 16G 32G 64G; do
                        "$MEMPROV" --defaults "$DEFAULTS" --root "$root" --assume-ram $tier \
                                --assume-cpus $cpus --set swap.size=1G --dry-run --json \
                                >"$SCRATCH/plans/${name}_${tier}_$cpus.json" 2>/dev/null
                done
        done
done
out=$(invariants "$SCRATCH/plans")
echo "$out"
check_eq "plans checked" "$(grep -c '^ok - ' <<<"$out")/$(grep -c . <<<"$out")" "128/128"
exit $T_FAILED
