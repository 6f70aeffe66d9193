-- wrk script for benchmarks/gateway-benchmark.sh: unique finalize requests at a fixed rate.
--
-- Every request carries a new trackingId, so each one is a new transfer (claim + command), not a
-- repeat. Plain wrk sends as fast as it can; here each thread keeps a schedule of send slots
-- (RATE / threads per second) and delay() holds a connection until its slot, so the offered load
-- is constant as long as enough connections are free. Latency is measured by wrk from the actual
-- send, so if the gateway falls behind, the figures understate it (coordinated omission): the
-- summary reports the rate reached so that this is visible.

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } timespec;
  int clock_gettime(int clk_id, timespec *tp);
]]
local ts = ffi.new("timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  local rate = tonumber(os.getenv("RATE") or "1000")
  local thread_count = tonumber(os.getenv("THREADS") or "2")
  interval = thread_count * 1000.0 / rate
  next_slot = now_ms()
  statuses = {}
  run = os.getenv("RUN_ID") or tostring(os.time())
  key = os.getenv("API_KEY")
end

function delay()
  local t = now_ms()
  local slot = math.max(next_slot, t)
  next_slot = slot + interval
  return math.max(0, math.floor(slot - t))
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"sender": "bench@example.com", "trackingId": "b%s-%d-%d"}', run, id, counter)
  return wrk.format("POST", "/api/v1/finalizations", {
    ["Authorization"] = "Bearer " .. key,
    ["Content-Type"] = "application/json",
  }, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + n
    end
  end
  local seconds = summary.duration / 1e6
  io.write("----- gateway benchmark summary -----\n")
  for status, n in pairs(total) do
    io.write(string.format("status %d: %d\n", status, n))
  end
  io.write(string.format("requests: %d in %.1f s = %.0f requests/s\n",
    summary.requests, seconds, summary.requests / seconds))
  io.write(string.format("errors: connect %d, read %d, write %d, timeout %d, status>=400 %d\n",
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout,
    summary.errors.status))
  io.write(string.format("latency p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, latency.max / 1000))
end
