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

/** KEYS: fence, refused, decider. ARGV: epoch, what, json. */
export const SAVE_DECIDER: ScriptDef = {
  name: 'understudySaveDecider',
  keys: 3,
  lua: `${FENCE}
local mark = refused(ARGV[1], ARGV[2])
if mark then return {1, mark} end
raise(ARGV[1])
redis.call('SET', KEYS[3], ARGV[3])
return {0, 0}`,
};

/** KEYS: fence, refused, zone, zone serial. ARGV: epoch, what, serial, json, channel. */
export const WRITE_ZONE: ScriptDef = {
  name: 'understudyWriteZone',
  keys: 4,
  lua: `${FENCE}
local mark = refused(ARGV[1], ARGV[2])
if mark then return {1, mark} end
local stored = tonumber(redis.call('GET', KEYS[4]) or '0')
if tonumber(ARGV[3]) <= stored then return {2, stored} end
raise(ARGV[1])
redis.call('SET', KEYS[3], ARGV[4])
redis.call('SET', KEYS[4], ARGV[3])
redis.call('PUBLISH', ARGV[5], ARGV[4])
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
 * One decision, all or nothing. KEYS: fence, refused, events stream, events epoch, decider, zone, zone serial.
 * ARGV: epoch, what, decider json, zone serial ("" for none), zone json, channel, cap, then event triples.
 * A zone serial equal to the stored one is a retried commit (the zone is left out); a lower one refuses.
 */
export const COMMIT: ScriptDef = {
  name: 'understudyCommit',
  keys: 7,
  lua: `${FENCE}${EVENTS}
local mark = refused(ARGV[1], ARGV[2])
if mark then return {1, mark} end
local writeZone = false
if ARGV[4] ~= '' then
  local stored = tonumber(redis.call('GET', KEYS[7]) or '0')
  if tonumber(ARGV[4]) < stored then return {2, stored} end
  writeZone = tonumber(ARGV[4]) > stored
end
local last, reused = seqCheck(ARGV[1], ARGV[9])
if reused then return {3, last} end
raise(ARGV[1])
redis.call('SET', KEYS[5], ARGV[3])
if writeZone then
  redis.call('SET', KEYS[6], ARGV[5])
  redis.call('SET', KEYS[7], ARGV[4])
  redis.call('PUBLISH', ARGV[6], ARGV[5])
end
appendFrom(ARGV[1], ARGV[7], last, 8)
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

/** A fenced script's reply: [0, _] accepted, [1, mark] stale epoch, [2, serial] stale serial, [3, seq] reused seq. */
export function fencedReply(reply: unknown): [number, number] {
  if (!Array.isArray(reply) || reply.length !== 2)
    throw new Error(`unexpected script reply ${String(reply)}`);
  return [Number(reply[0]), Number(reply[1])];
}
