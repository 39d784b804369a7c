-- wrk script of the performance suite: POSTs the JSON body in BODY_FILE to
-- the URL (with the bearer token in TOKEN, when set), and prints one machine-readable line the suite reads:
--   RESULT {"rps":..,"p50_ms":..,"p99_ms":..,"non2xx":..,"socket_errors":..}
local file = assert(io.open(os.getenv("BODY_FILE"), "rb"))
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "application/json"
local token = os.getenv("TOKEN")
if token then
  wrk.headers["Authorization"] = "Bearer " .. token
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"rps":%.2f,"p50_ms":%.3f,"p99_ms":%.3f,"non2xx":%d,"socket_errors":%d}\n',
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status, e.connect + e.read + e.write + e.timeout))
end
