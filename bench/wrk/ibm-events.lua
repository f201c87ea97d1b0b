-- wrk script: IBM HTTP device events, round robin over the devices listed in BENCH_DEVICES_FILE
-- (one "path<TAB>authorization" line each), the same 50-byte JSON body for every event.
local requests = {}
local next_index = 1

function init(args)
  for line in io.lines(os.getenv("BENCH_DEVICES_FILE")) do
    local path, auth = line:match("^(%S+)\t(.+)$")
    requests[#requests + 1] = { path = path, auth = auth }
  end
  -- threads start at different devices so they do not march in step
  next_index = (math.random(#requests))
end

wrk.method = "POST"
wrk.body = '{"d":{"temp":21.5,"hum":40.25,"seq":123456789012}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Host"] = os.getenv("BENCH_ORG") .. ".localhost"

function request()
  local r = requests[next_index]
  next_index = next_index % #requests + 1
  wrk.headers["Authorization"] = r.auth
  return wrk.format(nil, r.path)
end

function done(summary, latency, requests_)
  io.write(string.format("BENCH %d %d %d %d %.3f %.3f\n",
    summary.requests, summary.errors.status, summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout, summary.duration,
    latency:percentile(50) / 1000.0, latency:percentile(99) / 1000.0))
end
