-- wrk script: each thread plays callers, each from a new phone number and session.
-- wrk.args[1] = ms between requests per connection (0: as fast as possible), for measuring
-- latency at a fixed rate; wrk.args[2] = the callers' path:
--   "answer": dial (text "") and answer once ("2", Kiswahili): every other request comes from
--             a number not seen before and writes her language; the hardest mix for the bot.
--   "walk":   a typical session of 12 screens: dial, Kiswahili, "not now" to SMS, a topic and
--             a sub-topic, back, the main menu, another topic, a page further, back, main menu.
local made = 0
function setup(thread)
  thread:set("tid", made)
  made = made + 1
end

local walk = {"2", "2", "1", "2", "0", "00", "3", "1", "98", "0", "00"}

function init(args)
  n = 0
  pause = tonumber(args[1] or "0")
  mix = args[2] or "answer"
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

function delay()
  return pause
end

-- A caller's next screen is asked for only after her previous one was answered, as on a
-- phone: the thread's requests go round CALLERS callers at a time (more than its
-- connections, so her previous request has finished when her next is made), each caller
-- one step further each time round.
local CALLERS = 64

function request()
  local length = (mix == "walk") and (#walk + 1) or 2
  local round = math.floor(n / CALLERS)
  local caller = math.floor(round / length) * CALLERS + n % CALLERS
  local step = round % length
  n = n + 1
  local text
  if mix == "walk" then
    text = (step == 0) and "" or table.concat(walk, "*", 1, step)
  else
    text = (step == 0) and "" or "2"
  end
  local phone = string.format("%%2B2547%08d", 10000000 + tid * 1000000 + caller % 1000000)
  local body = "sessionId=b" .. tid .. "-" .. caller .. "&phoneNumber=" .. phone ..
               "&serviceCode=%2A384%2A123%23&networkCode=63902&text=" .. text
  return wrk.format(nil, "/ussd", nil, body)
end
