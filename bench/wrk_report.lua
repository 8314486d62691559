-- wrk script for `python -m bench`: cycles through the paths listed in a file (one per line,
-- given after `--`), counts every response outside 2xx (a redirect to the login page is an
-- error here) and prints one JSON line with throughput, latency percentiles and errors.
--
--   wrk -t2 -c8 -d10s -s bench/wrk_report.lua -H "Cookie: sessionid=…" http://127.0.0.1:8000 -- paths.txt

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_id", #threads)
end

local paths = {}
local counter = 0
non2xx = 0

function init(args)
  local file = assert(io.open(args[1], "r"))
  for line in file:lines() do
    if #line > 0 then
      table.insert(paths, line)
    end
  end
  file:close()
  -- Threads start at different places in the list so that they do not fetch in lockstep.
  counter = (thread_id or 0) * 7
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("non2xx") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'JSON {"requests": %d, "duration_us": %d, "bytes": %d, "non2xx": %d, ' ..
    '"connect_errors": %d, "read_errors": %d, "write_errors": %d, "status_errors": %d, ' ..
    '"timeouts": %d, "latency_us": {"mean": %.1f, "max": %d, "p50": %d, "p90": %d, ' ..
    '"p95": %d, "p99": %d}}\n',
    summary.requests, summary.duration, summary.bytes, bad,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency.max, latency:percentile(50), latency:percentile(90),
    latency:percentile(95), latency:percentile(99)))
end
