"""The one Lua script behind `RedisScheduler`: every decision is a single atomic step.

Keys of one call type (all under one ``{hash tag}``, so a Redis Cluster keeps
them in one slot)::

    <base>:<lane>:stamps   ZSET  member "<stamp µs>:<grant token>", score = stamp (µs)
    <base>:<lane>:held     ZSET  member "<grant token>",            score = lease expiry (µs)
    <base>:<lane>:pause    STRING  pause-until (µs), expiring with the pause
    <base>:<lane>:probe    STRING  "1" while probing after a 429 (cleared by recover)
    <base>:<lane>:refused  ZSET  member "<µs>:<step>:<j>", score = when a process reported
                                 a 429 (µs): calls the server did not count
    <base>:<lane>:meta     HASH  e: epoch (µs the state was created), n: sequence (steps
                                 so far), d: digest of the limits, w: their windows,
                                 x / u: windows being replaced and until when (µs),
                                 t: when its expiry (2 x TTL) was last refreshed (µs),
                                 o: per window, the outside estimate, successes since
                                 it changed, patience, lowered flag and proven level
                                 (see `_share`; a missing level is the limit)

Time is the Redis server's (``TIME``), in integer microseconds, never a host's
clock. A step, in order:

0. the limits: a missing meta is created with this process's limits; a digest
   that differs is a mismatch (reply ``M`` and the stored windows, nothing else
   done) unless this process replaces the limits, in which case the old windows
   stay enforced too until they and every lease have run out. If the process
   sends the epoch and sequence it last saw and the meta has another epoch or a
   lower sequence, state was lost: the lane pauses until every lost stamp and
   lease could have run out (see `_scheduler` for the reasoning);
1. held slots whose lease expired become stamps at their lease expiry;
2. queued operations: pause (``p``/``P`` with probe, argument µs), recover (``r``)
   and a refusal (``x``: a call of some process got a 429, recorded now);
3. releases: a held token becomes a stamp now (``1``) or disappears (``0``, a grant
   whose waiter was cancelled before it resumed); renewals: held tokens get a
   full lease again (re-added if the state was lost);
4. stamps older than the largest period are trimmed, and all but the newest
   ``max(limit)`` (the only ones any window can look at); refusals older than
   the largest period too;
5. the outside estimates take in the step's learned values (raised, never
   lowered; ``G`` lowered to the ceiling sent with it and never above the new
   effective limit), then its successes, against the counts of stamps in each
   window less the refusals in it (429s of any process, which the server did not
   count): they raise each window's proven level ``G`` and, in a window filled
   to within a tenth of the background share, count towards decaying its
   estimate, one window at a time, as the in-memory log counts them one by one
   (a batch can complete more than one run);
6. up to ``want`` grants, each checked against every window by ``room(w)``,
   ``limit(w) - held - #{stamps s : s > now - period}``, the one place that
   decides; ``limit(w)`` is ``cap(w)`` for a grant made with nothing held and
   ``min(cap(w), G)`` for any other (above the proven level calls go one at a
   time); ``cap(w)`` is the effective limit ``max(floor, limit - outside
   estimate)`` and, for a background step (the waiter at the head of the asking
   lane has priority < 0), that less the reserve (`_share`'s rules, restated
   here);
7. when one more grant becomes possible: the exact time for stamp-bound windows,
   the pause's end, or (a "soft" wait) the earliest lease expiry when held slots
   alone fill a window, a probe is out, or held slots keep a window above its
   proven level; a release that could shorten some process's wait publishes the
   call type on the wake-up channel.

ARGV (few, space-separated strings: cheap to encode and parse):

1. the lane's constants: lease µs, key TTL ms, channel, lane name, limits digest,
   replace flag, window count, then limit and period µs of each window;
2. want; 3. token prefix (grant j is ``<prefix>:<j>``); 4. full (1: return the stamps);
5. operations: kind and µs pairs; 6. releases: token and stamp flag pairs;
7. renewals: tokens; 8. history: the epoch and sequence this process last saw, or
   nothing when it has not stepped within its longest period plus the lease;
9. the reserve, the class (1: background) and successes since the last step;
10. learned estimates: window index (from 0), calls per window and the proven
    level's new ceiling, in threes.

Returns one string of integers: now, granted, wait µs, soft, held, pause-until,
probing, notified, earliest lease expiry (-1: none), releases whose slot was no
longer held (its lease ran out first), epoch, sequence, lost (1: this step found
state lost), window count, the earliest a foreground and a background grant can come
as far as stamps and the pause say (µs), then (stamps in window, next free at,
outside estimate, proven level, refusals in the window) per window, then
(full only) the stamp count and the stamps, oldest first. Or, on a limits
mismatch, ``M`` and the stored limit and period µs pairs.

`_wire` encodes the ARGV and decodes the reply into a `Reply`; keep the three
in step. The constants of the rules (`_share`'s) are written into the script
from `_share` itself, so the numbers live in one place.
"""

from __future__ import annotations

from .. import _share

__all__ = ["STEP"]

# `_share`'s constants, as the script's first lines: the rules' numbers live there alone.
_CONSTANTS = (
    f"local FLOOR_FRACTION = {_share.FLOOR_FRACTION!r}\n"
    f"local PROBE_EVERY = {_share.PROBE_EVERY:d}\n"
    f"local FIRST_PATIENCE, MAX_PATIENCE = {_share.FIRST_PATIENCE:d}, {_share.MAX_PATIENCE:d}\n"
)

_BODY = r"""
local stamps, held, pausek, probek, metak = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local refusedk = KEYS[6]
local function fmt(x) return string.format('%d', x) end

local function words(text)
  local out = {}
  for w in string.gmatch(text, '%S+') do out[#out + 1] = w end
  return out
end

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local cfg = words(ARGV[1])
local lease, ttl = tonumber(cfg[1]), tonumber(cfg[2])
local channel, lane, digest = cfg[3], cfg[4], cfg[5]
local replace = cfg[6] == '1'
local nw = tonumber(cfg[7])
local want = tonumber(ARGV[2])
local prefix = ARGV[3]
local full = ARGV[4] == '1'
local ops = words(ARGV[5])
local rels = words(ARGV[6])
local renews = words(ARGV[7])
local hist = words(ARGV[8])
local qos = words(ARGV[9] or '')
local reserve = tonumber(qos[1] or '0')
local bg = qos[2] == '1'
local wins = tonumber(qos[3] or '0')
local learn = words(ARGV[10] or '')

-- 0. the limits every process of this budget must agree on, and the state's identity
local limits, periods = {}, {}
for w = 1, nw do
  limits[w], periods[w] = tonumber(cfg[6 + 2 * w]), tonumber(cfg[7 + 2 * w])
end
local function mine() return table.concat(cfg, ' ', 8) end  -- limit period pairs
local function add_windows(pairs)
  local ws = words(pairs)
  for j = 1, #ws, 2 do
    limits[#limits + 1], periods[#periods + 1] = tonumber(ws[j]), tonumber(ws[j + 1])
  end
end
local function longest(pairs)
  local ws, p = words(pairs), 0
  for j = 2, #ws, 2 do p = math.max(p, tonumber(ws[j])) end
  return p
end

local m = redis.call('HMGET', metak, 'e', 'n', 'd', 'u', 't')
local epoch, seq = tonumber(m[1]), tonumber(m[2])
local old_until = tonumber(m[4] or '0')
if not epoch then
  epoch, seq = now, 0
  redis.call('HSET', metak, 'e', fmt(epoch), 'n', '0', 'd', digest, 'w', mine())
elseif m[3] ~= digest then
  local stored = redis.call('HMGET', metak, 'w', 'x')
  if not replace then return 'M ' .. (stored[1] or '') end
  -- a deliberate change: the old windows stay enforced until they and every lease are over
  local prev = stored[1] or ''
  if stored[2] and old_until > now then prev = prev .. ' ' .. stored[2] end
  old_until = now + lease + math.max(longest(prev), longest(mine()))
  redis.call('HSET', metak, 'd', digest, 'w', mine(), 'x', prev, 'u', fmt(old_until))
  redis.call('HDEL', metak, 'o')  -- estimates of the old windows mean nothing for the new
end
if old_until > now then add_windows(redis.call('HGET', metak, 'x')) end

local ne = #limits  -- windows enforced: this process's first, then any being replaced
local maxlimit, maxperiod, minlimit = 0, 0, nil
for w = 1, ne do
  if limits[w] > maxlimit then maxlimit = limits[w] end
  if periods[w] > maxperiod then maxperiod = periods[w] end
  if minlimit == nil or limits[w] < minlimit then minlimit = limits[w] end
end
ttl = math.max(ttl, math.ceil((maxperiod + lease) / 1000) + 1000)

local notify = false

-- The outside estimate of each of this process's windows, with its decay state
-- (successes since it changed, patience, lowered) and proven level: `_share`'s rules.
local est = words(redis.call('HGET', metak, 'o') or '')
local outside, succ, pat, low, proven = {}, {}, {}, {}, {}
for w = 1, nw do
  outside[w] = tonumber(est[5 * w - 4] or '0')
  succ[w] = tonumber(est[5 * w - 3] or '0')
  pat[w] = tonumber(est[5 * w - 2] or fmt(FIRST_PATIENCE))
  low[w] = tonumber(est[5 * w - 1] or '0')
  proven[w] = tonumber(est[5 * w] or fmt(limits[w]))
end
local est_changed = false
-- what a class may use of window w: the limit less the estimate (never below the
-- floor), and for background calls less the reserve as well
local function cap(w, b)
  local lim = limits[w]
  if w <= nw then
    lim = math.max(math.max(1, math.ceil(lim * FLOOR_FRACTION)), lim - outside[w])
  end
  if b then lim = math.max(1, math.floor(lim * (1.0 - reserve) + 1e-9)) end
  return lim
end
-- ... and while another slot is held: no more than the proven level
local function busy(w, b)
  local lim = cap(w, b)
  if w <= nw and proven[w] < lim then lim = proven[w] end
  return lim
end
-- an unexpected 429 raised window w's estimate (max semantics) and lowered its
-- proven level to the calls known to have counted
for j = 1, #learn, 3 do
  local w, v, g = tonumber(learn[j]) + 1, tonumber(learn[j + 1]), tonumber(learn[j + 2])
  if w <= nw then
    if low[w] == 1 then pat[w] = math.min(MAX_PATIENCE, pat[w] * 2) end
    low[w] = 0
    if v > outside[w] then outside[w] = v end
    succ[w] = 0
    proven[w] = math.min(proven[w], g, cap(w, false))
    est_changed = true
  end
end

-- A process that stepped recently sends the epoch and sequence it last saw. A
-- different epoch (the state was recreated) or a lower sequence (a replica missing
-- the last writes) means stamps were lost: nothing is granted until every lost
-- stamp and lease could have run out.
local lost = false
if #hist == 2 then
  local known_epoch, known_seq = tonumber(hist[1]), tonumber(hist[2])
  if known_epoch ~= epoch or known_seq > seq then
    lost = true
    local from = now
    if epoch > known_epoch then from = epoch end  -- nothing lost was written after
    local untl = from + lease + maxperiod
    local cur = tonumber(redis.call('GET', pausek) or '0')
    if untl > cur then
      redis.call('SET', pausek, fmt(untl), 'PX', fmt(math.floor((untl - now) / 1000) + 1000))
    end
  end
end

-- 1. a held slot whose lease expired counts as stamped at its lease expiry
local expired = redis.call('ZRANGEBYSCORE', held, '-inf', fmt(now), 'WITHSCORES')
if #expired > 0 then
  for j = 1, #expired, 2 do
    local at = tonumber(expired[j + 1])
    redis.call('ZADD', stamps, fmt(at), fmt(at) .. ':' .. expired[j])
  end
  redis.call('ZREMRANGEBYSCORE', held, '-inf', fmt(now))
  notify = true
end

-- 2. pause, recover and refusals (a 429 a process reported), in the order they came
for j = 1, #ops, 2 do
  local kind, us = ops[j], tonumber(ops[j + 1])
  if kind == 'r' then
    if redis.call('DEL', probek) == 1 then notify = true end
  elseif kind == 'x' then
    redis.call('ZADD', refusedk, fmt(now), fmt(now) .. ':' .. fmt(seq) .. ':' .. fmt(j))
  else
    local untl = now + us
    local cur = tonumber(redis.call('GET', pausek) or '0')
    if untl > cur then
      redis.call('SET', pausek, fmt(untl), 'PX', fmt(math.floor(us / 1000) + 1000))
    end
    if kind == 'P' then redis.call('SET', probek, '1', 'PX', fmt(ttl)) end
  end
end

-- 3. releases: a held slot becomes a stamp now, or (a grant never used) nothing;
-- renewals: a slot still in use keeps (or, after a loss, regains) a full lease
local probing = redis.call('EXISTS', probek) == 1
local h0 = redis.call('ZCARD', held)
local released, late = 0, 0
for j = 1, #rels, 2 do
  local tok, stamp = rels[j], rels[j + 1]
  local was_held = redis.call('ZREM', held, tok) == 1
  if was_held then released = released + 1 elseif not lost then late = late + 1 end
  if stamp == '1' and (was_held or lost) then
    if ne > 0 then redis.call('ZADD', stamps, fmt(now), fmt(now) .. ':' .. tok) end
  elseif was_held then
    notify = true
  end
end
-- A stamped release leaves every window's sum unchanged, so it can only shorten
-- a wait that held slots alone were bounding, or the one-at-a-time probe, or one
-- above a proven level (once the counts are known, below).
if released > 0 and (probing or (minlimit ~= nil and h0 >= minlimit)) then notify = true end
if #renews > 0 then
  local expiry = fmt(now + lease)
  for j = 1, #renews do redis.call('ZADD', held, expiry, renews[j]) end
end

-- 4. only stamps inside the largest period, and only the newest max(limit), matter;
-- refusals only inside the largest period
redis.call('ZREMRANGEBYSCORE', stamps, '-inf', fmt(now - maxperiod))
redis.call('ZREMRANGEBYRANK', stamps, 0, -(maxlimit + 1))
redis.call('ZREMRANGEBYSCORE', refusedk, '-inf', fmt(now - maxperiod))

local h = h0 - released
if #renews > 0 then h = redis.call('ZCARD', held) end
local pause_until = tonumber(redis.call('GET', pausek) or '0')
local counts, refused = {}, {}
for w = 1, ne do
  counts[w] = redis.call('ZCOUNT', stamps, '(' .. fmt(now - periods[w]), '+inf')
  refused[w] = redis.call('ZCOUNT', refusedk, '(' .. fmt(now - periods[w]), '+inf')
end
-- Held slots kept a window above its proven level (one at a time): the release
-- that leaves nothing held lets the next grant go up to the window's cap.
if released > 0 and h == 0 then
  for w = 1, nw do
    if proven[w] < cap(w, false) and counts[w] >= proven[w] then notify = true end
  end
end

-- 5. successes: this process's calls the server counted in each window are the
-- stamps less the 429s it reports. A batch counts as that many successes one
-- after another at this step's counts, each in two phases as the in-memory log
-- does: every window's proven level rises to the counted calls (never above the
-- effective limit); then, in a window this side fills (within a tenth of the
-- background share), the success counts towards a run, and a window whose run
-- is complete halves its estimate unless another window is probing a lowered
-- one (lowered and not yet proven up to its effective limit). Between two such
-- halvings nothing changes, so the batch jumps from one to the next.
local function near_full(w, used)
  local share = cap(w, true)
  return used >= share - math.max(1, math.ceil(share * FLOOR_FRACTION))
end
local function settled(w)
  for v = 1, nw do
    if v ~= w and low[v] == 1 and proven[v] < cap(v, false) then return false end
  end
  return true
end
if wins > 0 then
  local counted = {}
  for w = 1, nw do counted[w] = math.max(0, counts[w] - refused[w]) end
  local left = wins
  while left > 0 do
    for w = 1, nw do  -- phase one, the same at every success until the next halving
      local level = math.min(cap(w, false), math.max(proven[w], counted[w]))
      if level > proven[w] then
        proven[w] = level
        est_changed = true
        notify = true
      end
    end
    local step, due, counting = left, 0, {}
    for w = 1, nw do
      counting[w] = outside[w] > 0 and near_full(w, h + counted[w])
      if counting[w] and settled(w) then
        local need = math.max(1, math.max(limits[w], PROBE_EVERY) * pat[w] - succ[w])
        if need < step or (need == step and due == 0) then step, due = need, w end
      end
    end
    for w = 1, nw do
      if counting[w] then
        succ[w] = succ[w] + step
        est_changed = true
      end
    end
    left = left - step
    if due > 0 then  -- a whole run: halve the estimate
      local half = math.floor(outside[due] / 2)
      if half > 0 then
        if low[due] == 1 then pat[due] = 1 end
        low[due] = 1
      else  -- the other consumer is gone: start afresh
        pat[due], low[due] = FIRST_PATIENCE, 0
      end
      outside[due], succ[due] = half, 0
      notify = true
    end
  end
end
if est_changed then
  local o = {}
  for w = 1, nw do
    o[#o + 1] = fmt(outside[w]); o[#o + 1] = fmt(succ[w])
    o[#o + 1] = fmt(pat[w]); o[#o + 1] = fmt(low[w]); o[#o + 1] = fmt(proven[w])
  end
  redis.call('HSET', metak, 'o', table.concat(o, ' '))
end

-- 6. grants. The one rule: window w has room for one more slot when
-- limit - h - counts[w] > 0, where limit is cap(w) for a grant made with nothing
-- held (the first of a step, if h == 0) and busy(w) for every other.
local granted = 0
if want > 0 and pause_until <= now then
  local allow = want
  if probing then
    if h > 0 then allow = 0 else allow = 1 end
  end
  local first = 0
  if h == 0 and allow > 0 then
    first = 1
    for w = 1, ne do
      if cap(w, bg) - counts[w] <= 0 then first, allow = 0, 0 end
    end
  end
  local more = allow - first
  for w = 1, ne do more = math.min(more, busy(w, bg) - h - first - counts[w]) end
  allow = first + math.max(0, more)
  if allow > 0 then
    local expiry = fmt(now + lease)
    for j = 1, allow do
      redis.call('ZADD', held, expiry, prefix .. ':' .. j)
    end
    granted = allow
    h = h + allow
  end
end

-- 7. when can one more be granted?
local lease_min = -1
if h > 0 then
  lease_min = tonumber(redis.call('ZRANGE', held, 0, 0, 'WITHSCORES')[2])
end
-- plan(b): when class b can have one more grant (soft: a release may end the
-- wait early), when at the earliest as far as stamps and the pause say (hard),
-- and each window's next free time
local function plan(b)
  local ready, soft, hard, fr = now, 0, now, {}
  if pause_until > ready then ready, hard = pause_until, pause_until end
  for w = 1, ne do
    local free_at = now
    local lim = cap(w, b)
    if lim - h - counts[w] <= 0 then
      local unheld = lim - h  -- how many of the newest stamps the window can keep
      if unheld <= 0 then
        free_at = lease_min  -- only a release (published) or a lease expiry frees one
        soft = 1
      else
        local s = redis.call('ZREVRANGE', stamps, unheld - 1, unheld - 1, 'WITHSCORES')
        free_at = tonumber(s[2]) + periods[w]
        if free_at > hard then hard = free_at end
      end
    end
    fr[w] = free_at
    local top = busy(w, b)
    if h > 0 and top < lim and top - h - counts[w] <= 0 then
      -- above the proven level while slots are held: the release that leaves
      -- nothing held (published) ends the wait, else the stamps' expiry does
      soft = 1
      local at = lease_min
      if top - h > 0 then
        local s = redis.call('ZREVRANGE', stamps, top - h - 1, top - h - 1, 'WITHSCORES')
        at = tonumber(s[2]) + periods[w]
      end
      if at > free_at then free_at = at end
    end
    if free_at > ready then ready = free_at end
  end
  if probing and h > 0 then
    soft = 1
    if lease_min > ready then ready = lease_min end
  end
  return ready, soft, hard, fr
end
local ready, soft, hard, fr = plan(bg)
local _, _, other = plan(not bg)
local hard_fg, hard_bg = hard, other
if bg then hard_fg, hard_bg = other, hard end
local out = {}
for w = 1, nw do
  out[#out + 1] = counts[w]
  out[#out + 1] = fr[w]
  out[#out + 1] = outside[w]
  out[#out + 1] = proven[w]
  out[#out + 1] = refused[w]
end
-- an expiring lease turns into a stamp in the past, which can free a slot early
local wake = ready
if h > 0 and lease_min < wake then wake = lease_min end

seq = redis.call('HINCRBY', metak, 'n', 1)
-- the meta lives at least ttl past every step, refreshed once per ttl, not every step
local refreshed = tonumber(m[5] or '0')
if now - refreshed >= ttl * 1000 then
  redis.call('HSET', metak, 't', fmt(now))
  redis.call('PEXPIRE', metak, fmt(2 * ttl))
end
if ne > 0 then redis.call('PEXPIRE', stamps, fmt(ttl)) end
if redis.call('ZCARD', refusedk) > 0 then redis.call('PEXPIRE', refusedk, fmt(ttl)) end
if h > 0 then redis.call('PEXPIRE', held, fmt(ttl)) end
if notify then redis.call('PUBLISH', channel, lane) end

local probing_n = 0
if probing then probing_n = 1 end
local notify_n = 0
if notify then notify_n = 1 end
local lost_n = 0
if lost then lost_n = 1 end
local res = {now, granted, wake - now, soft, h, pause_until, probing_n, notify_n, lease_min,
             late, epoch, seq, lost_n, nw, hard_fg, hard_bg}
for j = 1, #out do res[#res + 1] = out[j] end
if full then
  local all = redis.call('ZRANGEBYSCORE', stamps, '(' .. fmt(now - maxperiod), '+inf', 'WITHSCORES')
  res[#res + 1] = #all / 2
  for j = 2, #all, 2 do res[#res + 1] = tonumber(all[j]) end
end
for j = 1, #res do res[j] = fmt(res[j]) end
return table.concat(res, ' ')
"""

#: the script: `_share`'s constants, then the step
STEP = _CONSTANTS + _BODY
