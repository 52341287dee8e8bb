#!/usr/bin/env python3
"""The stateful part of the load mix (issue 19), beside wrk's anonymous reads (tests/load/mix.lua):
what a WordPress site's owner and readers do that wrk cannot (cookies, nonces, uploads).

    actions.py --url URL --send S --min-id A --max-id B --jpeg FILE --password PW --tag T --out JSON
    actions.py --verify          (in the guest: checks read from stdin, see verify())

Four actors, one thread each, for S seconds, then every action already started runs to its end:
- admin: logs in (wp-login.php, once per run), then every ADMIN_PERIOD s the dashboard
  (/wp-admin/), the block editor page (/wp-admin/post-new.php, whose inline script carries the
  REST nonce) and a draft saved through the REST API with that nonce (POST wp/v2/posts);
- upload: every UPLOAD_PERIOD s the JPEG (2-3 megapixels, made by GD in the guest) through the
  REST media endpoint (POST wp/v2/media), where GD makes the thumbnails: the most memory-hungry
  request a WordPress site sees;
- comment: every COMMENT_PERIOD s a comment on a random post (wp-comments-post.php; 20 s apart
  and COMMENT_GAP s after the previous answer, more than WordPress's 15 s comment flood interval
  for one address, wp_check_comment_flood());
- cron: every CRON_PERIOD s /wp-cron.php, as a system cron calls it when DISABLE_WP_CRON is set.
A request answered 503 (memprov's back-pressure) is retried after RETRY_WAIT s, as a person
presses reload, for RETRY_WINDOW s from its first attempt; the longest such wait that ended
served is reported per kind (wait503_max_s). Every HTTP request is counted once in its kind: served,
backpressure (503), failed (another 5xx, no answer within the timeout, a reset or refused
connection). An action counts as done when all its requests were served with the expected
answer; whether it really happened (the draft in the database, the attachment's files on
disk) is checked in the guest afterwards (--verify). Plain permalinks: the REST API is
/?rest_route=/wp/v2/...."""
import http.client
import json
import random
import re
import statistics
import sys
import threading
import time
import urllib.parse

ADMIN_PERIOD, UPLOAD_PERIOD, COMMENT_PERIOD, CRON_PERIOD = 15, 30, 20, 30
# WordPress's comment flood check (wp_check_comment_flood(), 15 s for one address) compares a new
# comment's time with the previous one's comment_date_gmt, set while that request ran: with
# TCG pages of 15-20 s, 20 s from start to start left less than 15 s between the two (run s11's
# full #2: "post 73: 429", an action the harness, not the server, failed). So the next comment
# also waits 16 s from the previous one's answer.
COMMENT_GAP = 16
# A person who gets "Service Unavailable" on a login or an upload presses reload every few
# seconds for about a minute before giving up (a model, not a measurement). Under TCG one page
# takes 10-30 s (images/README.md), so the 15 s of session 6 (5 retries 3 s apart) was shorter
# than one page: a login could be refused through all its retries while PHP served others.
RETRY_WINDOW, RETRY_WAIT = 60, 3
TIMEOUT = 30  # as wrk's --timeout for the reads
UPLOAD_TIMEOUT = 120  # a browser's upload waits for GD's thumbnails; TCG makes them 10-20x slower
KINDS = ("admin", "upload", "comment", "cron")


class Site:
    def __init__(self, url):
        u = urllib.parse.urlsplit(url)
        self.host, self.port = u.hostname, u.port or 80
        self.lock = threading.Lock()
        self.req = {k: {"sent": 0, "served": 0, "backpressure": 0, "failed": 0, "lat": [], "wait503": []}
                    for k in KINDS}
        self.act = {k: {"started": 0, "done": 0, "errors": []} for k in KINDS}
        self.checks = []

    def count(self, kind, field, lat=None):
        with self.lock:
            self.req[kind][field] += 1
            if lat is not None:
                self.req[kind]["lat"].append(lat)

    def http(self, kind, method, path, body=None, headers=None, cookies=None, timeout=TIMEOUT):
        """One request, one outcome. Returns (status, headers, body) when answered (any status
        but 503 after the retries), None when it failed."""
        first, refused = time.monotonic(), 0
        while True:
            h = {"Host": "%s:%d" % (self.host, self.port), "Connection": "close",
                 "User-Agent": "memprov-load/actions"}
            if cookies:
                h["Cookie"] = "; ".join("%s=%s" % kv for kv in cookies.items())
            h.update(headers or {})
            self.count(kind, "sent")
            t0 = time.monotonic()
            try:
                c = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
                c.request(method, path, body=body, headers=h)
                r = c.getresponse()
                data = r.read()
                hdrs = r.getheaders()
                c.close()
            except (OSError, http.client.HTTPException) as e:
                self.count(kind, "failed")
                self.note(kind, "%s %s: %s after %.0f s" % (method, path.split("?")[0], type(e).__name__,
                                                          time.monotonic() - t0))
                return None
            t = time.monotonic() - t0
            if t > timeout:
                self.count(kind, "failed")
                self.note(kind, "%s %s: answered after %.0f s" % (method, path.split("?")[0], t))
                return None
            if r.status == 503:
                self.count(kind, "backpressure")
                refused += 1
                if time.monotonic() + RETRY_WAIT - first < RETRY_WINDOW:
                    time.sleep(RETRY_WAIT)
                    continue
                self.note(kind, "%s %s: 503 for %.0f s of retries" % (method, path.split("?")[0],
                                                                    time.monotonic() - first))
                return None
            if r.status >= 500:
                self.count(kind, "failed")
                self.note(kind, "%s %s: %d" % (method, path.split("?")[0], r.status))
                return None
            self.count(kind, "served", t)
            if refused:
                with self.lock:
                    self.req[kind]["wait503"].append(t0 - first)
            if cookies is not None:
                for k, v in hdrs:
                    if k.lower() == "set-cookie":
                        name, _, rest = v.partition("=")
                        val = rest.split(";", 1)[0]
                        if val == "deleted" or "expires=Thu, 01-Jan-1970" in v:
                            cookies.pop(name, None)
                        else:
                            cookies[name] = val
            return r.status, dict((k.lower(), v) for k, v in hdrs), data

    def note(self, kind, msg):
        with self.lock:
            if len(self.act[kind]["errors"]) < 20:
                self.act[kind]["errors"].append(msg)


def login(site, kind, password, cookies):
    cookies["wordpress_test_cookie"] = "WP%20Cookie%20check"
    body = urllib.parse.urlencode({"log": "admin", "pwd": password, "wp-submit": "Log In",
                                   "redirect_to": "/wp-admin/", "testcookie": "1"})
    r = site.http(kind, "POST", "/wp-login.php", body,
                  {"Content-Type": "application/x-www-form-urlencoded"}, cookies)
    if not r or r[0] != 302 or not any(k.startswith("wordpress_logged_in") for k in cookies):
        site.note(kind, "login: %s" % (r[0] if r else "failed"))
        return False
    return True


def rest_nonce(page):
    m = (re.search(rb'createNonceMiddleware\(\s*"([0-9a-f]+)"', page) or
         re.search(rb'"nonce":"([0-9a-f]+)"', page))
    return m.group(1).decode() if m else None


def admin_action(site, a, cookies):
    if not any(k.startswith("wordpress_logged_in") for k in cookies):
        if not login(site, "admin", a.password, cookies):
            return False
    r = site.http("admin", "GET", "/wp-admin/", cookies=cookies)
    if not r or r[0] != 200 or b"dashboard" not in r[2].lower():
        site.note("admin", "dashboard: %s" % (r[0] if r else "failed"))
        return False
    r = site.http("admin", "GET", "/wp-admin/post-new.php", cookies=cookies)
    nonce = rest_nonce(r[2]) if r and r[0] == 200 else None
    if not nonce:
        site.note("admin", "editor: %s" % (r[0] if r else "failed"))
        return False
    title = "memprov-load %s draft %d" % (a.tag, random.randrange(10**9))
    body = json.dumps({"title": title, "status": "draft",
                       "content": "<!-- wp:paragraph --><p>A draft saved under load.</p><!-- /wp:paragraph -->"})
    r = site.http("admin", "POST", "/?rest_route=/wp/v2/posts", body,
                  {"Content-Type": "application/json", "X-WP-Nonce": nonce}, cookies)
    if not r or r[0] != 201:
        site.note("admin", "save draft: %s %s" % (r[0] if r else "failed", r[2][:120] if r else ""))
        return False
    try:
        pid = json.loads(r[2])["id"]
    except (ValueError, KeyError):
        return False
    with site.lock:
        site.checks.append("draft %d" % pid)
    return True


def upload_action(site, a, state):
    cookies = state.setdefault("cookies", {})
    if "nonce" not in state:
        if not login(site, "upload", a.password, cookies):
            return False
        # admin-ajax.php?action=rest-nonce (WordPress >= 5.3): the REST nonce of the session,
        # as the media library's uploader holds it.
        r = site.http("upload", "GET", "/wp-admin/admin-ajax.php?action=rest-nonce", cookies=cookies)
        if not r or r[0] != 200 or not re.fullmatch(rb"[0-9a-f]+", r[2].strip()):
            site.note("upload", "nonce: %s" % (r[0] if r else "failed"))
            return False
        state["nonce"] = r[2].strip().decode()
    name = "memprov-load-%s-%d.jpg" % (a.tag, random.randrange(10**9))
    r = site.http("upload", "POST", "/?rest_route=/wp/v2/media", a.jpeg_bytes,
                  {"Content-Type": "image/jpeg", "Content-Disposition": 'attachment; filename="%s"' % name,
                   "X-WP-Nonce": state["nonce"]}, cookies, timeout=UPLOAD_TIMEOUT)
    if not r or r[0] != 201:
        site.note("upload", "media: %s %s" % (r[0] if r else "failed", r[2][:200] if r else ""))
        return False
    try:
        d = json.loads(r[2])
        md = d["media_details"]
        sizes = md.get("sizes", {})
    except (ValueError, KeyError, AttributeError):
        site.note("upload", "media: unexpected answer")
        return False
    if "thumbnail" not in sizes:
        site.note("upload", "media %s: no thumbnail made (sizes %s)" % (d.get("id"), ",".join(sizes)))
        return False
    base = md["file"].rsplit("/", 1)[0] + "/" if "/" in md["file"] else ""
    with site.lock:
        site.checks.append("attachment %d %s %s" % (d["id"], md["file"], " ".join(
            base + s["file"] for s in sizes.values() if s.get("file") and s["file"] != md["file"].rsplit("/", 1)[-1])))
    return True


def comment_action(site, a, state):
    pid = random.randint(a.min_id, a.max_id)
    n = random.randrange(10**9)
    body = urllib.parse.urlencode({"comment_post_ID": pid, "author": "Load reader %d" % n,
                                   "email": "reader%d@example.invalid" % n, "url": "",
                                   "comment": "A comment under load, %s %d." % (a.tag, n), "submit": "Post Comment"})
    r = site.http("comment", "POST", "/wp-comments-post.php", body,
                  {"Content-Type": "application/x-www-form-urlencoded"})
    # Stored: a 302 to the post (held for moderation or approved). 409 duplicate, 429 flood.
    if not r or r[0] != 302:
        site.note("comment", "post %d: %s" % (pid, r[0] if r else "failed"))
        return False
    return True


def cron_action(site, a, state):
    r = site.http("cron", "GET", "/wp-cron.php?doing_wp_cron=%.4f" % time.time())
    return bool(r and r[0] == 200)


def actor(site, a, kind, fn, period, offset, gap=0):
    """Starts fn every period s from offset, and at least gap s after the previous action's
    answer."""
    state = {}
    t_end = a.t0 + a.send
    nxt = a.t0 + offset
    while True:
        now = time.monotonic()
        if nxt >= t_end:
            return
        if now < nxt:
            time.sleep(nxt - now)
        with site.lock:
            site.act[kind]["started"] += 1
        ok = fn(site, a, state)
        if ok:
            with site.lock:
                site.act[kind]["done"] += 1
        nxt += period
        # An action that took longer than its period starts the next one at once, not a burst.
        nxt = max(nxt, time.monotonic() + gap)


def median(v):
    return statistics.median(v) if v else 0.0


def run(a):
    with open(a.jpeg, "rb") as f:
        a.jpeg_bytes = f.read()
    site = Site(a.url)
    a.t0 = time.monotonic()
    admin_cookies = {}
    ths = [threading.Thread(target=actor, args=(site, a, "admin", lambda s, a_, st: admin_action(s, a_, admin_cookies), ADMIN_PERIOD, 1)),
           threading.Thread(target=actor, args=(site, a, "upload", upload_action, UPLOAD_PERIOD, 3)),
           threading.Thread(target=actor, args=(site, a, "comment", comment_action, COMMENT_PERIOD, 2,
                                                 COMMENT_GAP)),
           threading.Thread(target=actor, args=(site, a, "cron", cron_action, CRON_PERIOD, 5))]
    for t in ths:
        t.start()
    for t in ths:
        t.join()
    out = {"wall_s": round(time.monotonic() - a.t0, 1), "kinds": {}, "checks": site.checks}
    for k in KINDS:
        q, act = site.req[k], site.act[k]
        out["kinds"][k] = {"sent": q["sent"], "served": q["served"], "backpressure": q["backpressure"],
                           "failed": q["failed"], "p50_s": round(median(q["lat"]), 2),
                           "max_s": round(max(q["lat"] or [0]), 2),
                           "wait503_max_s": round(max(q["wait503"] or [0]), 1),
                           "actions": act["started"], "done": act["done"], "errors": act["errors"]}
    with open(a.out, "w") as f:
        json.dump(out, f, indent=1)
    for k in KINDS:
        d = out["kinds"][k]
        print("ACT kind=%s sent=%d served=%d backpressure=%d failed=%d p50_s=%.2f actions=%d done=%d wait503_max_s=%.1f" % (
            k, d["sent"], d["served"], d["backpressure"], d["failed"], d["p50_s"], d["actions"], d["done"],
            d["wait503_max_s"]))


def verify():
    """In the guest. stdin: 'draft ID' and 'attachment ID FILE [SIZEFILE...]' lines (upload paths
    relative to the uploads directory). Prints how many drafts are in the database as drafts and
    how many attachments have their row and every file (original and each size made) on disk,
    and the PHP fatal errors in the web logs so far."""
    import os
    import subprocess
    up = "/var/lib/wordpress/wp-content/uploads/"
    drafts, atts = [], []
    for line in sys.stdin:
        w = line.split()
        if len(w) >= 2 and w[0] == "draft":
            drafts.append(int(w[1]))
        elif len(w) >= 3 and w[0] == "attachment":
            atts.append((int(w[1]), w[2:]))

    def q(sql):
        return subprocess.run(["mariadb", "-N", "-B", "wordpress", "-e", sql], capture_output=True,
                              text=True, timeout=60).stdout.split()
    ok_d = 0
    if drafts:
        ok_d = len(q("SELECT ID FROM wp_posts WHERE post_status='draft' AND post_type='post' AND ID IN (%s)"
                     % ",".join(map(str, drafts))))
    ok_a = 0
    if atts:
        rows = set(q("SELECT ID FROM wp_posts WHERE post_type='attachment' AND ID IN (%s)"
                     % ",".join(str(i) for i, _ in atts)))
        for i, files in atts:
            if str(i) in rows and all(os.path.isfile(up + f) for f in files):
                ok_a += 1
    mem = fatal = 0
    for log in ("/var/log/apache2/error.log", "/var/log/php8.2-fpm.log"):
        try:
            with open(log, errors="replace") as f:
                for line in f:
                    if "PHP Fatal error" in line:
                        fatal += 1
                        mem += "Allowed memory size" in line
        except OSError:
            pass
    print("drafts=%d/%d attachments=%d/%d fatal_memory=%d fatal=%d" % (ok_d, len(drafts), ok_a, len(atts), mem, fatal))


def main(argv):
    if argv[:1] == ["--verify"]:
        verify()
        return 0
    import argparse
    p = argparse.ArgumentParser()
    for k in ("--url", "--jpeg", "--password", "--tag", "--out"):
        p.add_argument(k, required=True)
    p.add_argument("--send", type=float, required=True)
    p.add_argument("--min-id", type=int, required=True)
    p.add_argument("--max-id", type=int, required=True)
    run(p.parse_args(argv))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
