-- wrk script for the WordPress load scenario (issue 9): a mix of the pages a small blog serves,
-- each response counted by status, and one machine-readable summary line at the end.
--   wrk ... -s tests/load/mix.lua http://127.0.0.1:PORT -- MIN_POST_ID MAX_POST_ID
-- Mix (per request): 30% front page, 40% a random single post (?p=N), 10% a search (?s=WORD),
-- 10% the RSS feed, 10% wp-login.php.
local words = { "memory", "swap", "kernel", "budget", "queue", "latency", "pressure", "thread" }
local threads = {}
local minid, maxid = 1, 1
codes = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  minid = tonumber(args[1]) or 1
  maxid = tonumber(args[2]) or minid
  math.randomseed(os.time() * 100 + id)
  codes = {}
end

function request()
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
  local all = {}
  for _, t in ipairs(threads) do
    local c = t:get("codes")
    if c then
      for k, v in pairs(c) do all[k] = (all[k] or 0) + v end
    end
  end
  local cs = {}
  for k, v in pairs(all) do table.insert(cs, k .. ":" .. v) end
  table.sort(cs)
  local e = summary.errors
  io.write(string.format(
    "WRK requests=%d duration_us=%d bytes=%d connect=%d read=%d write=%d status=%d timeout=%d " ..
    "p50_us=%d p99_us=%d max_us=%d codes=%s\n",
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(99), latency.max, table.concat(cs, ",")))
end
