/**
 * The Lua scripts behind every fenced write and the lease. Each runs atomically in Redis, so the epoch check
 * and the write cannot be separated by another writer: a paused old leader that wakes up is refused by
 * Redis itself. Numbers that may exceed 2^47 (serials, seqs, epochs) travel as strings and are stored as
 * given, because Lua's tostring() would print them in exponent notation.
 */
import type { Redis } from 'ioredis';

export interface ScriptDef {
  name: string;
  keys: number;
  lua: string;
}

/**
 * Shared prelude: refuse an epoch below the mark (recording the refusal), else return nil.
 * KEYS[1] fence mark, KEYS[2] refused-writes stream; ARGV[1] epoch, ARGV[2] what is written.
 */
const FENCE = `
local function refused(epochArg, what)
  local mark = tonumber(redis.call('GET', KEYS[1]) or '0')
  if tonumber(epochArg) < mark then
    redis.call('XADD', KEYS[2], 'MAXLEN', '~', 1000, '*', 'what', what, 'epoch', epochArg, 'stored', tostring(mark))
    return mark
  end
  return nil
end
local function raise(epochArg)
  if tonumber(epochArg) > tonumber(redis.call('GET', KEYS[1]) or '0') then redis.call('SET', KEYS[1], epochArg) end
end
`;

/**
 * Decider state patches (DeciderStatePatch), O(patch): the top-level parts as one JSON string, checks and
 * records as hashes written field by field. A full patch deletes both hashes and the previous format's whole
 * `decider` key first; a partial one needs a stored top (else the caller is told: reply code 4). The
 * reads the arguments from ARGV[p]: top JSON, check count, (id, JSON) pairs, record count, pairs; it returns
 * the index after them. KEYS given by name: top, checks, records, previous-format key.
 */
const DECIDER = `
local function deciderEnd(p)
  local i = p + 2 + 2 * tonumber(ARGV[p + 1])
  return i + 1 + 2 * tonumber(ARGV[i])
end
local function deciderMissing(mode, kTop)
  return mode == 'patch' and redis.call('EXISTS', kTop) == 0
end
local function deciderWrite(mode, p, kTop, kChecks, kRecords, kOld)
  if mode == 'full' then redis.call('DEL', kChecks, kRecords, kOld) end
  redis.call('SET', kTop, ARGV[p])
  local i = p + 2
  for _ = 1, tonumber(ARGV[p + 1]) do
    redis.call('HSET', kChecks, ARGV[i], ARGV[i + 1])
    i = i + 2
  end
  local n = tonumber(ARGV[i])
  i = i + 1
  for _ = 1, n do
    redis.call('HSET', kRecords, ARGV[i], ARGV[i + 1])
    i = i + 2
  end
end
`;

/**
 * KEYS: fence, refused, decider:top, decider:checks, decider:records, decider (previous format).
 * ARGV: epoch, what, mode ('full' or 'patch'), then the decider arguments (DECIDER) from ARGV[4].
 */
export const SAVE_DECIDER: ScriptDef = {
  name: 'understudySaveDeciderPatch',
  keys: 6,
  lua: `${FENCE}${DECIDER}
local mark = refused(ARGV[1], ARGV[2])
if mark then return {1, mark} end
if deciderMissing(ARGV[3], KEYS[3]) then return {4, 0} end
raise(ARGV[1])
deciderWrite(ARGV[3], 4, KEYS[3], KEYS[4], KEYS[5], KEYS[6])
return {0, 0}`,
};

/**
 * Event appends (after FENCE). Stream ids are "<seq>-1"; KEYS[4] holds the epoch of the newest append.
 * A seq at or below the newest stored one is a retry when that epoch is ours (skipped, not duplicated),
 * and a reused seq otherwise: seqCheck returns the newest stored seq, and whether the append is refused.
 */
const EVENTS = `
local function seqCheck(epochArg, firstSeqArg)
  local top = redis.call('XREVRANGE', KEYS[3], '+', '-', 'COUNT', 1)
  local last = -1
  if top[1] then last = tonumber(string.match(top[1][1], '^(%d+)-')) end
  if firstSeqArg and tonumber(firstSeqArg) <= last
    and tonumber(redis.call('GET', KEYS[4]) or '0') ~= tonumber(epochArg) then
    return last, true
  end
  return last, false
end
local function appendFrom(epochArg, cap, last, from)
  local added = false
  for i = from, #ARGV, 3 do
    if tonumber(ARGV[i + 1]) > last then
      redis.call('XADD', KEYS[3], 'MAXLEN', cap, ARGV[i], 'e', ARGV[i + 2])
      last = tonumber(ARGV[i + 1])
      added = true
    end
  end
  if added then redis.call('SET', KEYS[4], epochArg) end
end
`;

/** KEYS: fence, refused, events stream, events epoch. ARGV: epoch, what, cap, then (id, seq, json) by seq. */
export const APPEND_EVENTS: ScriptDef = {
  name: 'understudyAppendEvents',
  keys: 4,
  lua: `${FENCE}${EVENTS}
local mark = refused(ARGV[1], ARGV[2])
if mark then return {1, mark} end
local last, reused = seqCheck(ARGV[1], ARGV[5])
if reused then return {3, last} end
raise(ARGV[1])
appendFrom(ARGV[1], ARGV[3], last, 4)
return {0, 0}`,
};

/**
 * Overlay writes (after FENCE), O(delta): the changed fields of the overlay hash, its meta, the serial, the
 * journal (LPUSH + LTRIM) and the notification. KEYS[6] zone:serial, [7] overlay hash (record id → JSON values),
 * [8] overlay:meta hash (serial, epoch, generatedAt), [9] overlay:journal list (newest first), [10] the
 * previous format's zone key (deleted by a full overlay). ARGV[4] kind ('' none, 'delta', 'full'), [5] base,
 * [6] serial, [7] generatedAt, [8] delta JSON, [9] channel, [11] journal cap, [12] '1' when a serial equal to
 * the stored one is a retry, [13] number of (field, value) pairs, which follow from ARGV[14].
 * A full overlay deletes the journal: no delta leads to it, so readers of the journal read the overlay.
 */
const OVERLAY = `
local function zoneCheck()
  if ARGV[4] == '' then return 'skip' end
  local stored = tonumber(redis.call('GET', KEYS[6]) or '0')
  local serial = tonumber(ARGV[6])
  local has = redis.call('EXISTS', KEYS[8]) == 1
  if ARGV[12] == '1' and serial == stored and has then return 'skip' end
  if ARGV[4] == 'delta' then
    if (not has) or tonumber(ARGV[5]) ~= stored or serial <= stored then return stored end
  elseif serial <= stored then return stored end
  return 'apply'
end
local function zoneWrite()
  local n = tonumber(ARGV[13])
  if ARGV[4] == 'full' then redis.call('DEL', KEYS[7], KEYS[9], KEYS[10]) end
  for i = 14, 13 + 2 * n, 2 do redis.call('HSET', KEYS[7], ARGV[i], ARGV[i + 1]) end
  redis.call('HSET', KEYS[8], 'serial', ARGV[6], 'epoch', ARGV[1], 'generatedAt', ARGV[7])
  redis.call('SET', KEYS[6], ARGV[6])
  if ARGV[4] == 'delta' then
    redis.call('LPUSH', KEYS[9], ARGV[8])
    redis.call('LTRIM', KEYS[9], 0, tonumber(ARGV[11]) - 1)
    redis.call('PUBLISH', ARGV[9], '{"kind":"delta","delta":' .. ARGV[8] .. '}')
  else
    redis.call('PUBLISH', ARGV[9], '{"kind":"full","serial":' .. ARGV[6] .. '}')
  end
end
`;

/**
 * One decision, all or nothing (also writeOverlay: no decider, no events, no retry). KEYS: fence, refused,
 * events stream, events epoch, decider:top, then the overlay keys above, [11] decider:checks, [12]
 * decider:records, [13] the previous format's decider key. ARGV: epoch, what, decider mode ('' none, 'full',
 * 'patch'), the overlay arguments above, [10] events cap, then after the overlay pairs the decider arguments
 * (DECIDER; absent when mode is ''), then the event triples.
 * An update that does not fit the stored serial refuses the whole commit ({2, stored serial}); a partial
 * decider patch without a stored decider state refuses it with {4, 0}.
 */
export const COMMIT: ScriptDef = {
  name: 'understudyCommitPatch',
  keys: 13,
  lua: `${FENCE}${EVENTS}${OVERLAY}${DECIDER}
local mark = refused(ARGV[1], ARGV[2])
if mark then return {1, mark} end
local zone = zoneCheck()
if zone ~= 'apply' and zone ~= 'skip' then return {2, zone} end
if deciderMissing(ARGV[3], KEYS[5]) then return {4, 0} end
local dec = 14 + 2 * tonumber(ARGV[13])
local from = dec
if ARGV[3] ~= '' then from = deciderEnd(dec) end
local last, reused = seqCheck(ARGV[1], ARGV[from + 1])
if reused then return {3, last} end
raise(ARGV[1])
if ARGV[3] ~= '' then deciderWrite(ARGV[3], dec, KEYS[5], KEYS[11], KEYS[12], KEYS[13]) end
if zone == 'apply' then zoneWrite() end
appendFrom(ARGV[1], ARGV[10], last, from)
return {0, 0}`,
};

/** KEYS: fence, refused, targets hash. ARGV: epoch, what, field, json. */
export const SAVE_TARGET: ScriptDef = {
  name: 'understudySaveTarget',
  keys: 3,
  lua: `${FENCE}
local mark = refused(ARGV[1], ARGV[2])
if mark then return {1, mark} end
raise(ARGV[1])
redis.call('HSET', KEYS[3], ARGV[3], ARGV[4])
return {0, 0}`,
};

/**
 * KEYS: lease, fence. ARGV: holder, ttl ms, our current token ("" if none).
 * Free (or ours): INCR the fence mark for the new epoch and take the lease as "<holder>#<epoch>".
 * Returns {epoch, token} or {0, current holder token}.
 */
export const LEASE_ACQUIRE: ScriptDef = {
  name: 'understudyLeaseAcquire',
  keys: 2,
  lua: `
local current = redis.call('GET', KEYS[1])
if current and current ~= ARGV[3] then return {0, current} end
local epoch = redis.call('INCR', KEYS[2])
local token = ARGV[1] .. '#' .. redis.call('GET', KEYS[2])
redis.call('SET', KEYS[1], token, 'PX', ARGV[2])
return {epoch, token}`,
};

/** KEYS: lease. ARGV: token, ttl ms. 1 when renewed, 0 when the lease is no longer ours. */
export const LEASE_RENEW: ScriptDef = {
  name: 'understudyLeaseRenew',
  keys: 1,
  lua: `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`,
};

/** KEYS: lease. ARGV: token. Deletes only our own lease. */
export const LEASE_RELEASE: ScriptDef = {
  name: 'understudyLeaseRelease',
  keys: 1,
  lua: `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`,
};

type ScriptFn = (...args: (string | number)[]) => Promise<unknown>;

/** Runs a script by EVALSHA (ioredis falls back to EVAL after a server restart flushed the script cache). */
export function runScript(client: Redis, def: ScriptDef, keys: string[], args: (string | number)[]) {
  const commands = client as unknown as Record<string, ScriptFn | undefined>;
  if (typeof commands[def.name] !== 'function') {
    client.defineCommand(def.name, { numberOfKeys: def.keys, lua: def.lua });
  }
  return (commands[def.name] as ScriptFn).apply(client, [...keys, ...args]);
}

/**
 * A fenced script's reply: [0, _] accepted, [1, mark] stale epoch, [2, serial] stale serial, [3, seq] reused seq,
 * [4, _] a partial decider patch without a stored decider state.
 */
export function fencedReply(reply: unknown): [number, number] {
  if (!Array.isArray(reply) || reply.length !== 2)
    throw new Error(`unexpected script reply ${String(reply)}`);
  return [Number(reply[0]), Number(reply[1])];
}
