-- wrk script for bench/load.py. load.py prepends METHOD, PATHS, HEADERS and BODY.
-- Requests cycle through PATHS (one object per request); each thread counts its 2xx and 5xx;
-- `done` prints one line "JSON {...}" with the counts and the latency percentiles.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  ok = 0
  s5xx = 0
  i = 0
end

function request()
  i = i + 1
  local path = PATHS[(i - 1) % #PATHS + 1]
  if METHOD == "GET" then
    return wrk.format("GET", path, HEADERS)
  end
  return wrk.format(METHOD, path, HEADERS, BODY)
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    ok = ok + 1
  elseif status >= 500 then
    s5xx = s5xx + 1
  end
end

function done(summary, latency, requests)
  local total_ok, total_5xx = 0, 0
  for _, t in ipairs(threads) do
    total_ok = total_ok + t:get("ok")
    total_5xx = total_5xx + t:get("s5xx")
  end
  local e = summary.errors
  io.write(string.format(
    'JSON {"requests":%d,"duration_us":%d,"ok":%d,"s5xx":%d,"errors":%d,' ..
    '"p50_us":%d,"p95_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, total_ok, total_5xx,
    e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
