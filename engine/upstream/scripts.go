package upstream

import "github.com/redis/go-redis/v9"

// The Lua scripts that make every write one atomic step. go-redis runs them
// with EVALSHA and falls back to EVAL after a restart emptied the script
// cache. Every key a script is given comes from keys.go. Two kinds of keys
// are reached without being passed: the index keys of an incident's previous
// version, read from its p:meta:{id} hash (keys.go wrote them there), and,
// in queryScript, the documents of the page (keys.incident("") + id). A
// Redis Cluster variant keeps both possible by putting every key of one
// database shard under one hash tag, so that they share a slot.
//
// Every write carries a fresh op token that the script stores in
// p:meta:{id}; a script that finds its own token already there answers DONE
// without writing again, so a go-redis retry after a lost reply is harmless.

// putLua is shared by the scripts that index an incident. KEYS[1] is the
// document, KEYS[2] its meta hash; put(first) takes KEYS[first..] as the
// index keys, the first ARGV[7] of them sets and the rest zsets. ARGV: 1 id,
// 2 op token, 3 document ("" keeps the stored one), 4 zset member, 5
// updated_at ns, 6 change-feed fields, 7 number of sets, 8 channel, 9 event
// ("" publishes none), 10 the writer's fence channel ("" = none), which gets
// the op token right after the event (see feed.go).
const putLua = `
local function unindex(meta, id)
  local old = redis.call('HMGET', meta, 'k', 'sets', 'zsets')
  if old[2] then
    for _, key in ipairs(cjson.decode(old[2])) do redis.call('SREM', key, id) end
  end
  if old[1] and old[3] then
    for _, key in ipairs(cjson.decode(old[3])) do redis.call('ZREM', key, old[1]) end
  end
end
local function put(first)
  local id, k, nsets = ARGV[1], ARGV[4], tonumber(ARGV[7])
  unindex(KEYS[2], id)
  if ARGV[3] ~= '' then redis.call('SET', KEYS[1], ARGV[3]) end
  local sets, zsets = {}, {}
  for i = first, #KEYS do
    if i < first + nsets then
      sets[#sets + 1] = KEYS[i]
      redis.call('SADD', KEYS[i], id)
    else
      zsets[#zsets + 1] = KEYS[i]
      redis.call('ZADD', KEYS[i], 0, k)
    end
  end
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[2], 'op', ARGV[2], 'k', k, 'u', ARGV[5], 'ev', ARGV[6],
    'sets', cjson.encode(sets), 'zsets', cjson.encode(zsets))
  if ARGV[9] ~= '' then redis.call('PUBLISH', ARGV[8], ARGV[9]) end
  if ARGV[10] ~= '' then redis.call('PUBLISH', ARGV[10], ARGV[2]) end
end
local function applied() return redis.call('HGET', KEYS[2], 'op') == ARGV[2] end
local function unindexed()
  return redis.call('EXISTS', KEYS[2]) == 0 and redis.call('EXISTS', KEYS[1]) == 1
end
`

// saveScript upserts: KEYS and ARGV as putLua.
var saveScript = redis.NewScript(putLua + `
if applied() then return 'DONE' end
if unindexed() then return 'NOMETA' end
put(3)
return 'OK'
`)

// updateScript replaces an existing incident if its meta still carries the
// op token ARGV[11] that the caller read (an optimistic lock).
var updateScript = redis.NewScript(putLua + `
if applied() then return 'DONE' end
if redis.call('EXISTS', KEYS[1]) == 0 then return 'NOTFOUND' end
if unindexed() then return 'NOMETA' end
if redis.call('HGET', KEYS[2], 'op') ~= ARGV[11] then return 'RETRY' end
put(3)
return 'OK'
`)

// reindexScript indexes a stored document if neither it (SHA-1 ARGV[12]) nor
// its meta (op token ARGV[11], "" = none) changed since the caller read them.
var reindexScript = redis.NewScript(putLua + `
if (redis.call('HGET', KEYS[2], 'op') or '') ~= ARGV[11] then return 'RETRY' end
local doc = redis.call('GET', KEYS[1])
if not doc or redis.sha1hex(doc) ~= ARGV[12] then return 'RETRY' end
put(3)
return 'OK'
`)

// dedupScript saves unless an active incident with the same fingerprint and
// another id exists. KEYS[3] is the fingerprint's zset, KEYS[4] its seed set,
// KEYS[5..8] the active states' zsets, the index keys from KEYS[9]. When
// ARGV[11] is "1" a fingerprint set and zset of different sizes (documents
// the zsets do not know yet) answer NOMETA.
var dedupScript = redis.NewScript(putLua + `
if applied() then return {'DONE'} end
if unindexed() then return {'NOMETA'} end
if ARGV[11] == '1' and redis.call('SCARD', KEYS[4]) ~= redis.call('ZCARD', KEYS[3]) then
  return {'NOMETA'}
end
local hi = '+'
while true do
  local page = redis.call('ZREVRANGEBYLEX', KEYS[3], hi, '-', 'LIMIT', 0, 128)
  for _, m in ipairs(page) do
    local id = string.sub(m, 18)
    if id ~= ARGV[1] then
      for i = 5, 8 do
        if redis.call('ZSCORE', KEYS[i], m) then return {'DUP', id} end
      end
    end
  end
  if #page < 128 then break end
  hi = '(' .. page[#page]
end
put(9)
return {'OK'}
`)

// deleteScript removes incidents: KEYS are (document, meta) pairs, ARGV 1 the
// channel, 2 the database, 3 "orphans" to only drop metas whose document is
// gone, 4 the fence channel ("" = none), 5 the fence token, then the ids. It
// answers {'OK', removed, id, fields, ...} or {'NOMETA', id} for a document
// that was never indexed (then it wrote nothing).
var deleteScript = redis.NewScript(putLua + `
local n, orphans = #ARGV - 5, ARGV[3] == 'orphans'
for i = 1, n do
  if redis.call('EXISTS', KEYS[2 * i]) == 0 and redis.call('EXISTS', KEYS[2 * i - 1]) == 1 and not orphans then
    return {'NOMETA', ARGV[i + 5]}
  end
end
local out = {'OK', 0}
for i = 1, n do
  local doc, meta, id = KEYS[2 * i - 1], KEYS[2 * i], ARGV[i + 5]
  local ev = redis.call('HGET', meta, 'ev')
  if ev and not (orphans and redis.call('EXISTS', doc) == 1) then
    unindex(meta, id)
    redis.call('DEL', meta)
    if redis.call('DEL', doc) == 1 then
      out[2] = out[2] + 1
      out[#out + 1] = id
      out[#out + 1] = ev
      redis.call('PUBLISH', ARGV[1], '{"op":"deleted","db":' .. ARGV[2] .. ',' .. ev .. '}')
    end
  end
end
if ARGV[4] ~= '' then redis.call('PUBLISH', ARGV[4], ARGV[5]) end
return out
`)

// pruneScript removes the members of the index key KEYS[1] that no indexed
// document justifies. ARGV 1 is "set" or "zset", then the members; KEYS from
// 2 are (meta, document) pairs of their ids. It answers how many it removed.
var pruneScript = redis.NewScript(`
local kind, removed = ARGV[1], 0
for i = 2, #ARGV do
  local meta, doc, m, ok = KEYS[2 * i - 2], KEYS[2 * i - 1], ARGV[i], false
  if redis.call('EXISTS', doc) == 1 then
    local f = redis.call('HMGET', meta, 'k', kind .. 's')
    if f[2] and (kind == 'set' or f[1] == m) then
      for _, key in ipairs(cjson.decode(f[2])) do
        if key == KEYS[1] then ok = true break end
      end
    end
  end
  if not ok then
    if kind == 'set' then
      removed = removed + redis.call('SREM', KEYS[1], m)
    else
      removed = removed + redis.call('ZREM', KEYS[1], m)
    end
  end
end
return removed
`)

// queryScript answers List and Count without sending candidates to the
// client. KEYS are the zsets of the filter's groups (keys.groups), laid end
// to end. ARGV: 1 "list" or "count", 2 "1" for descending, 3 and 4 the
// ZRANGEBYLEX bounds, 5 offset, 6 limit, 7 the document key prefix
// (keys.incident("")), 8 the number of groups, then each group's size. It
// counts with ZINTERCARD when it can; otherwise it walks the group with the
// fewest members in range, merging its zsets in order, keeps the members
// found in every other group, and answers the count,
// or up to limit (member, document) pairs after skipping offset matches: the
// page is read in the same atomic step as the index.
var queryScript = redis.NewScript(`
local mode, desc, lo, hi = ARGV[1], ARGV[2] == '1', ARGV[3], ARGV[4]
local offset, limit = tonumber(ARGV[5]), tonumber(ARGV[6])
local groups, at = {}, 1
for g = 1, tonumber(ARGV[8]) do
  local keys = {}
  for i = 1, tonumber(ARGV[8 + g]) do keys[i] = KEYS[at]; at = at + 1 end
  groups[g] = keys
end
local drive, best = 1, nil
for g, keys in ipairs(groups) do
  local n = 0
  for _, key in ipairs(keys) do n = n + redis.call('ZLEXCOUNT', key, lo, hi) end
  if best == nil or n < best then drive, best = g, n end
end
local function page(members)
  local res = {}
  for _, m in ipairs(members) do
    local doc = redis.call('GET', ARGV[7] .. string.sub(m, 18))
    if doc then res[#res + 1] = m; res[#res + 1] = doc end
  end
  return res
end
if mode == 'count' and #groups == 1 then return best end
if best == 0 then if mode == 'count' then return 0 end return {} end
-- Without a time window, a count is a sum of ZINTERCARDs, one per choice of
-- a key in every group: an incident has one value per dimension, so the
-- intersections are disjoint. Older Redis without ZINTERCARD walks instead.
local combos = 1
for _, keys in ipairs(groups) do combos = combos * #keys end
if mode == 'count' and lo == '-' and hi == '+' and combos <= 64 then
  local total, pick = 0, {}
  for g = 1, #groups do pick[g] = 1 end
  while total do
    local ks = {}
    for g = 1, #groups do ks[g] = groups[g][pick[g]] end
    local n = redis.pcall('ZINTERCARD', #ks, unpack(ks))
    if type(n) ~= 'number' then total = nil break end
    total = total + n
    local g = 1
    while g <= #groups and pick[g] == #groups[g] do pick[g] = 1; g = g + 1 end
    if g > #groups then break end
    pick[g] = pick[g] + 1
  end
  if total then return total end
end
if #groups == 1 and #groups[1] == 1 then
  if desc then
    return page(redis.call('ZREVRANGEBYLEX', groups[1][1], hi, lo, 'LIMIT', offset, limit))
  end
  return page(redis.call('ZRANGEBYLEX', groups[1][1], lo, hi, 'LIMIT', offset, limit))
end
local function less(a, b)
  for i = 1, math.min(#a, #b) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end
local chunk, cursors = 256, {}
for i, key in ipairs(groups[drive]) do
  cursors[i] = {key = key, lo = lo, hi = hi, buf = {}, pos = 1, last = false}
end
local function head(c)
  if c.pos > #c.buf then
    if c.last then return nil end
    if desc then
      c.buf = redis.call('ZREVRANGEBYLEX', c.key, c.hi, c.lo, 'LIMIT', 0, chunk)
    else
      c.buf = redis.call('ZRANGEBYLEX', c.key, c.lo, c.hi, 'LIMIT', 0, chunk)
    end
    c.pos, c.last = 1, #c.buf < chunk
    if #c.buf == 0 then return nil end
    if desc then c.hi = '(' .. c.buf[#c.buf] else c.lo = '(' .. c.buf[#c.buf] end
  end
  return c.buf[c.pos]
end
local function match(m)
  for g, keys in ipairs(groups) do
    if g ~= drive then
      local hit = false
      for _, key in ipairs(keys) do
        if redis.call('ZSCORE', key, m) then hit = true break end
      end
      if not hit then return false end
    end
  end
  return true
end
local out, n = {}, 0
while true do
  local bc, bm = nil, nil
  for _, c in ipairs(cursors) do
    local m = head(c)
    if m and (bm == nil or (desc and less(bm, m)) or (not desc and less(m, bm))) then bc, bm = c, m end
  end
  if bm == nil then break end
  bc.pos = bc.pos + 1
  if match(bm) then
    n = n + 1
    if mode == 'list' and n > offset then
      out[#out + 1] = bm
      if #out >= limit then break end
    end
  end
end
if mode == 'count' then return n end
return page(out)
`)
