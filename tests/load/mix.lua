-- wrk script for the WordPress load scenario (issues 9, 19): the anonymous reads of a small
-- blog, with an exact account of every request, each kind of page counted on its own, and
-- machine-readable summary lines at the end.
--   wrk -tN -cN -dD --timeout T ... -s tests/load/mix.lua URL -- MIN_ID MAX_ID SEND_SECONDS T [DONE_FILE]
-- ONE CONNECTION PER THREAD (-t equal to -c): wrk's response() is not told which request it
-- answers, but a thread with one connection has at most one request in flight, so the thread's
-- last request() is the one answered. That is how the latency of each answer is known here
-- (LuaJIT's ffi, CLOCK_MONOTONIC, from the moment the request is built, as wrk's own c->start),
-- so that the percentiles are of served requests only, not of the 503s (wrk's own histogram
-- mixes both) and the median page time is known per kind (issue 19).
-- Mix (per request): 30% front page, 40% a random single post (?p=N), 10% a search (?s=WORD),
-- 10% the RSS feed, 10% wp-login.php. The logged-in administrator, comments, uploads and wp-cron
-- are tests/load/actions.py's (stateful: cookies, nonces), run beside wrk.
--
-- Why not wrk's own error counters (wrk 4.1.0, src/wrk.c): wrk never abandons a request. Its
-- "timeout" counts responses that came later than --timeout (response_complete(): the latency
-- does not fit the histogram), which are also counted as requests; a connection the server
-- closes (EOF) before the response is reconnected silently, so that request is in no counter;
-- "read" counts resets and unparsable responses; and the requests still unanswered when -d ends
-- are dropped uncounted. So here every request sent is one outcome:
--   sent = served + backpressure (503) + failed_5xx (other 5xx) + late (> T) + lost
-- where lost = sent - responses: reset or closed before a complete response, or unanswered at
-- the end. New requests go out for SEND_SECONDS only (delay() holds every connection after
-- that); the caller runs wrk for SEND_SECONDS + the timeout + a margin, so every request sent
-- had the full timeout to be answered and one still unanswered at the end is a timeout too.
-- DONE_FILE: each thread appends its id once it has nothing in flight after SEND_SECONDS (wrk
-- asks delay() before every new request, so that call means the last one was answered or lost):
-- when every thread has, the caller ends wrk with SIGINT (wrk.c's handler: it stops waiting
-- out -d and prints the summary) instead of waiting out the drain. Same account, less waiting.
-- connect = failed connection attempts (no request sent), counted as failures as well.
local ffi = require("ffi")
ffi.cdef([[
typedef struct { long tv_sec; long tv_nsec; } mixlua_timespec;
int clock_gettime(int clk, mixlua_timespec *ts);
]])
local ts = ffi.new("mixlua_timespec")
local function now_us()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000000 + tonumber(ts.tv_nsec) / 1000
end

local KINDS = { "front", "post", "search", "feed", "login" }
local words = { "memory", "swap", "kernel", "budget", "queue", "latency", "pressure", "thread" }
local threads = {}
local minid, maxid, deadline, timeout_us = 1, 1, 0, 30000000
local cur_kind, cur_start, verify_call, done_file
local FIELDS = { "sent", "served", "backpressure", "failed_5xx", "late", "answered" }
-- This thread's account, flat because wrk's thread:get() copies one level of a table only (a
-- nested table crashes wrk 4.1.0): acc["KIND.FIELD"] counts, lat[] the served latencies in µs
-- as LATENCY * 8 + the kind's index.
acc = {}
lat = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  minid = tonumber(args[1]) or 1
  maxid = tonumber(args[2]) or minid
  deadline = os.time() + (tonumber(args[3]) or 60)
  timeout_us = (tonumber(args[4]) or 30) * 1000000
  done_file = args[5]
  math.randomseed(os.time() * 100 + id)
  for _, k in ipairs(KINDS) do
    for _, f in ipairs(FIELDS) do acc[k .. "." .. f] = 0 end
  end
  -- wrk calls the first thread's request() once before the run to parse it (script.c:
  -- script_verify_request); that one is never sent.
  verify_call = (id == 1)
end

function delay()
  if os.time() < deadline then return 0 end
  if done_file then
    local f = io.open(done_file, "a")
    if f then
      f:write(id, "\n")
      f:close()
    end
    done_file = nil
  end
  return 3600 * 1000
end

function request()
  local r = math.random(100)
  local kind, path
  if r <= 30 then
    kind, path = "front", "/"
  elseif r <= 70 then
    kind, path = "post", "/?p=" .. math.random(minid, maxid)
  elseif r <= 80 then
    kind, path = "search", "/?s=" .. words[math.random(#words)]
  elseif r <= 90 then
    kind, path = "feed", "/?feed=rss2"
  else
    kind, path = "login", "/wp-login.php"
  end
  if verify_call then
    verify_call = false
  else
    acc[kind .. ".sent"] = acc[kind .. ".sent"] + 1
    cur_kind, cur_start = kind, now_us()
  end
  return wrk.format("GET", path)
end

function response(status, headers, body)
  if not cur_kind then return end
  local t, f = now_us() - cur_start, "served"
  if t > timeout_us then
    f = "late"
  elseif status == 503 then
    f = "backpressure"
  elseif status >= 500 then
    f = "failed_5xx"
  end
  for _, g in ipairs({ f, "answered" }) do
    acc[cur_kind .. "." .. g] = acc[cur_kind .. "." .. g] + 1
  end
  if f == "served" then
    for i, k in ipairs(KINDS) do
      if k == cur_kind then table.insert(lat, math.floor(t) * 8 + i) end
    end
  end
  cur_kind = nil
end

local function pct(sorted, p)
  if #sorted == 0 then return 0 end
  local i = math.ceil(#sorted * p / 100)
  if i < 1 then i = 1 end
  return sorted[i]
end

local function line(tag, s, l)
  table.sort(l)
  local lost = math.max(s.sent - s.answered, 0)
  return string.format("%s sent=%d served=%d backpressure=%d failed_5xx=%d late=%d lost=%d " ..
    "p50_us=%d p95_us=%d p99_us=%d max_us=%d",
    tag, s.sent, s.served, s.backpressure, s.failed_5xx, s.late, lost,
    pct(l, 50), pct(l, 95), pct(l, 99), l[#l] or 0)
end

function done(summary, latency, requests)
  local tot = { sent = 0, served = 0, backpressure = 0, failed_5xx = 0, late = 0, answered = 0 }
  local per, perlat, all = {}, {}, {}
  for _, k in ipairs(KINDS) do
    per[k] = { sent = 0, served = 0, backpressure = 0, failed_5xx = 0, late = 0, answered = 0 }
    perlat[k] = {}
  end
  for _, t in ipairs(threads) do
    local a, lt = t:get("acc"), t:get("lat")
    for _, k in ipairs(KINDS) do
      for _, f in ipairs(FIELDS) do
        local v = a[k .. "." .. f] or 0
        per[k][f] = per[k][f] + v
        tot[f] = tot[f] + v
      end
    end
    for _, v in ipairs(lt) do
      local us = math.floor(v / 8)
      table.insert(perlat[KINDS[v % 8]], us)
      table.insert(all, us)
    end
  end
  local e = summary.errors
  local lost = math.max(tot.sent - tot.answered, 0)
  local failures = tot.late + tot.failed_5xx + lost + e.connect
  -- Served and the latency percentiles are of served requests only (not 503s, not late ones).
  io.write(line("WRK", tot, all) .. string.format(
    " connect=%d failures=%d attempts=%d requests=%d read=%d write=%d wrk_timeout=%d " ..
    "duration_us=%d wrk_p50_us=%d wrk_p99_us=%d\n",
    e.connect, failures, tot.sent + e.connect, summary.requests, e.read, e.write, e.timeout,
    summary.duration, latency:percentile(50), latency:percentile(99)))
  for _, k in ipairs(KINDS) do
    io.write(line("WRKKIND kind=" .. k, per[k], perlat[k]) .. "\n")
  end
end
