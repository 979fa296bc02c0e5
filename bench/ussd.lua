-- wrk script: each connection plays callers dialling (text "") and answering (text "2"),
-- every pair from a new phone number and session; wrk.args[1] = ms between requests
-- per connection (0: as fast as possible), for measuring latency at a fixed rate.
local made = 0
function setup(thread)
  thread:set("tid", made)
  made = made + 1
end

function init(args)
  n = 0
  pause = tonumber(args[1] or "0")
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

function delay()
  return pause
end

function request()
  n = n + 1
  local pair = math.floor(n / 2)
  local phone = string.format("%%2B2547%08d", 10000000 + tid * 1000000 + pair % 1000000)
  local text = (n % 2 == 0) and "" or "2"
  local body = "sessionId=b" .. tid .. "-" .. pair .. "&phoneNumber=" .. phone ..
               "&serviceCode=%2A384%2A123%23&networkCode=63902&text=" .. text
  return wrk.format(nil, "/ussd", nil, body)
end
