-- wrk script: `mode` picks the request; `done` prints one JSON line of figures.
-- WRK_MODE=post: POST /api/actions with a unique id per request;
-- WRK_MODE=level / levels: GETs. WRK_TOKEN: the bearer token.
local mode = os.getenv("WRK_MODE") or "level"
local token = os.getenv("WRK_TOKEN") or ""
local threads = {}
local counter = 0
local tid = 0

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function request()
  local headers = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
  counter = counter + 1
  if mode == "post" then
    local body = string.format(
      '{"id":"w%d-%d-%d","type":"post_liked","at":"2026-03-01T10:00:00Z","user":"fan","community":"c%d","author":"u%d"}',
      tid, counter, math.random(1e9), counter % 10, counter % 5000)
    return wrk.format("POST", "/api/actions", headers, body)
  elseif mode == "levels" then
    return wrk.format("GET", "/api/communities/c0/levels", headers)
  else
    return wrk.format("GET", string.format("/api/communities/c0/members/u%d/level", counter % 5000), headers)
  end
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format(
    '{"requests":%d,"rps":%.0f,"p50_ms":%.2f,"p95_ms":%.2f,"p99_ms":%.2f,"errors":%d,"non2xx":%d}\n',
    summary.requests, summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout, summary.errors.status))
end
