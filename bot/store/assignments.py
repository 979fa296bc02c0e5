"""Which Mentor Mother calls a mother back: the Redis side of assigning follow-ups.

A follow-up goes to the Mentor Mother linked to the mother (her contact field `mentor`); a
mother with none is linked to the next Mentor Mother of her facility (contact field `facility`)
in turn, so she keeps that Mentor Mother for every later follow-up; with neither it stays
unassigned, for a supervisor. Each step is one Lua script, so two follow-ups filed at the same
moment never read the same turn, and a Mentor Mother removed meanwhile is never given one.
People (names, PINs) are in bot/mentors; this module only knows the keys.
"""

from . import contacts

MENTOR = "mentor:"  # + her phone: the Mentor Mother's hash (bot/mentors)
EVERYONE = "mentors"  # set of every Mentor Mother's phone
TEAM = "mentors:facility:"  # + MFL code: set of the phones of the Mentor Mothers there
TURN = "mentors:turn:"  # + MFL code: how many follow-ups were handed out in turn there
MOTHERS = "mentors:mothers:"  # + her phone: the mothers linked to her
ASSIGNED = "followups:assigned:"  # + her phone: ids of the open follow-ups assigned to her


def mentor_key(phone):
    return MENTOR + phone


def team_key(code):
    return TEAM + code


def mothers_key(phone):
    return MOTHERS + phone


def assigned_key(phone):
    return ASSIGNED + phone


# KEYS: the follow-up, her contact. ARGV: the follow-up's id, her phone. Returns the phone of the
# Mentor Mother it went to, or false. SORT makes the order of a team the same on every call.
ASSIGN = f"""
if redis.call('HGET', KEYS[1], 'status') ~= 'open' then return false end
local mentor = redis.call('HGET', KEYS[2], 'mentor')
if mentor and redis.call('EXISTS', '{MENTOR}' .. mentor) == 0 then mentor = false end
if not mentor then
  local facility = redis.call('HGET', KEYS[2], 'facility')
  if facility and facility ~= '' then
    local team = redis.call('SORT', '{TEAM}' .. facility, 'ALPHA')
    if #team > 0 then
      local turn = redis.call('INCR', '{TURN}' .. facility)
      mentor = team[((turn - 1) % #team) + 1]
      redis.call('HSET', KEYS[2], 'mentor', mentor)
      redis.call('SADD', '{MOTHERS}' .. mentor, ARGV[2])
    end
  end
end
if not mentor then
  redis.call('HDEL', KEYS[1], 'assigned_to')
  return false
end
redis.call('HSET', KEYS[1], 'assigned_to', mentor)
redis.call('SADD', '{ASSIGNED}' .. mentor, ARGV[1])
return mentor
"""

# KEYS: the follow-up. ARGV: its id, the Mentor Mother's phone. A supervisor's choice: the
# follow-up, and the mother with it, go to that Mentor Mother. Returns 'ok', 'not_open' or
# 'no_mentor'.
REASSIGN = f"""
if redis.call('HGET', KEYS[1], 'status') ~= 'open' then return 'not_open' end
if redis.call('EXISTS', '{MENTOR}' .. ARGV[2]) == 0 then return 'no_mentor' end
local before = redis.call('HGET', KEYS[1], 'assigned_to')
if before then redis.call('SREM', '{ASSIGNED}' .. before, ARGV[1]) end
redis.call('HSET', KEYS[1], 'assigned_to', ARGV[2])
redis.call('SADD', '{ASSIGNED}' .. ARGV[2], ARGV[1])
local mother = redis.call('HGET', KEYS[1], 'phone')
local contact = '{contacts.key("")}' .. mother
if mother and redis.call('EXISTS', contact) == 1 then
  local linked = redis.call('HGET', contact, 'mentor')
  if linked then redis.call('SREM', '{MOTHERS}' .. linked, mother) end
  redis.call('HSET', contact, 'mentor', ARGV[2])
  redis.call('SADD', '{MOTHERS}' .. ARGV[2], mother)
end
return 'ok'
"""

# KEYS: the follow-up. ARGV: its id. Drops it from its Mentor Mother's open list once closed.
RELEASE = f"""
local mentor = redis.call('HGET', KEYS[1], 'assigned_to')
if mentor then redis.call('SREM', '{ASSIGNED}' .. mentor, ARGV[1]) end
return 1
"""


def run(pipe, source, keys, args):
    """Queue a script on a redis-py pipeline or a quick.Batch."""
    if hasattr(pipe, "script"):
        return pipe.script(source, keys, args)
    return pipe.eval(source, len(keys), *keys, *args)


def assign(pipe, followup_key, contact_key, followup_id, phone):
    """Queue the assignment of a new follow-up (see the module's docstring)."""
    return run(pipe, ASSIGN, [followup_key, contact_key], [followup_id, phone])


def release(pipe, followup_key, followup_id):
    """Queue the removal of a closed follow-up from its Mentor Mother's open list."""
    return run(pipe, RELEASE, [followup_key], [followup_id])


# KEYS: her contact. ARGV: the Mentor Mother leaving. Her link goes only if it is still to her.
UNLINK = """
if redis.call('HGET', KEYS[1], 'mentor') == ARGV[1] then redis.call('HDEL', KEYS[1], 'mentor') end
return 1
"""


def unlink(pipe, mother_phone, mentor_phone):
    """Queue the end of a mother's link to a Mentor Mother who is leaving."""
    return run(pipe, UNLINK, [contacts.key(mother_phone)], [mentor_phone])
