-- wrk script for the WordPress load scenario (issue 9): a mix of the pages a small blog serves,
-- with an exact account of every request, and one machine-readable summary line at the end.
--   wrk -dD --timeout T ... -s tests/load/mix.lua URL -- MIN_POST_ID MAX_POST_ID SEND_SECONDS
-- Mix (per request): 30% front page, 40% a random single post (?p=N), 10% a search (?s=WORD),
-- 10% the RSS feed, 10% wp-login.php.
--
-- Why not wrk's own error counters (wrk 4.1.0, src/wrk.c): wrk never abandons a request. Its
-- "timeout" counts responses that came later than --timeout (response_complete(): the latency
-- does not fit the histogram), which are also counted as requests; a connection the server
-- closes (EOF) before the response is reconnected silently, so that request is in no counter;
-- "read" counts resets and unparsable responses; and the requests still unanswered when -d ends
-- are dropped uncounted. So here every request sent is one outcome:
--   sent = served + backpressure (503) + failed_5xx (other 5xx) + late (> --timeout) + lost
-- where lost = sent - responses: reset or closed before a complete response, or unanswered at
-- the end. New requests go out for SEND_SECONDS only (delay() holds every connection after
-- that); the caller runs wrk for SEND_SECONDS + the timeout + a margin, so every request sent
-- had the full timeout to be answered and one still unanswered at the end is a timeout too.
-- connect = failed connection attempts (no request sent), counted as failures as well.
local words = { "memory", "swap", "kernel", "budget", "queue", "latency", "pressure", "thread" }
local threads = {}
local minid, maxid, deadline = 1, 1, 0
codes = {}
sent = 0

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  minid = tonumber(args[1]) or 1
  maxid = tonumber(args[2]) or minid
  deadline = os.time() + (tonumber(args[3]) or 60)
  math.randomseed(os.time() * 100 + id)
  codes = {}
  -- wrk calls the first thread's request() once before the run to parse it (script.c:
  -- script_verify_request); that one is never sent.
  sent = (id == 1) and -1 or 0
end

function delay()
  if os.time() < deadline then return 0 end
  return 3600 * 1000
end

function request()
  sent = sent + 1
  local r = math.random(100)
  local path
  if r <= 30 then
    path = "/"
  elseif r <= 70 then
    path = "/?p=" .. math.random(minid, maxid)
  elseif r <= 80 then
    path = "/?s=" .. words[math.random(#words)]
  elseif r <= 90 then
    path = "/?feed=rss2"
  else
    path = "/wp-login.php"
  end
  return wrk.format("GET", path)
end

function response(status, headers, body)
  local k = tostring(status)
  codes[k] = (codes[k] or 0) + 1
end

function done(summary, latency, requests)
  local all, nsent = {}, 0
  for _, t in ipairs(threads) do
    nsent = nsent + (t:get("sent") or 0)
    local c = t:get("codes")
    if c then
      for k, v in pairs(c) do all[k] = (all[k] or 0) + v end
    end
  end
  local cs, f5 = {}, 0
  for k, v in pairs(all) do
    table.insert(cs, k .. ":" .. v)
    if k:sub(1, 1) == "5" and k ~= "503" then f5 = f5 + v end
  end
  table.sort(cs)
  local e = summary.errors
  local bp = all["503"] or 0
  local lost = math.max(nsent - summary.requests, 0)
  local served = math.max(summary.requests - e.timeout - bp - f5, 0)
  local failures = e.timeout + f5 + lost + e.connect
  io.write(string.format(
    "WRK sent=%d served=%d backpressure=%d failed_5xx=%d late=%d lost=%d connect=%d " ..
    "failures=%d attempts=%d requests=%d read=%d write=%d timeout=%d duration_us=%d " ..
    "p50_us=%d p99_us=%d max_us=%d codes=%s\n",
    nsent, served, bp, f5, e.timeout, lost, e.connect, failures, nsent + e.connect,
    summary.requests, e.read, e.write, e.timeout, summary.duration,
    latency:percentile(50), latency:percentile(99), latency.max, table.concat(cs, ",")))
end
