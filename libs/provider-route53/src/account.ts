/**
 * Route 53 limits requests per AWS account, not per client: every Route53Provider of the same account
 * (the configured `account`, else the same credentials) and endpoint shares one token bucket and one
 * serial queue per hosted zone.
 */
import { SerialQueue, TokenBucket } from '@understudy/core';

export interface Account {
  readonly key: string;
  readonly bucket: TokenBucket;
  /** ChangeResourceRecordSets … GetChange sequences, one at a time per hosted zone. */
  zoneQueue(zoneId: string): SerialQueue;
}

interface Entry extends Account {
  refs: number;
}

const registry = new Map<string, Entry>();

/**
 * Identifies the account without holding any secret: the configured `account` when set (targets with
 * different keys of one account then share a bucket), else the access key id (or profile); and endpoint.
 */
export function accountKey(c: {
  endpoint: string | null;
  accessKeyId: string | null;
  profile: string | null;
  account: string | null;
}): string {
  if (c.account !== null) return `${c.endpoint ?? 'aws'}|account:${c.account}`;
  const who = c.accessKeyId ?? `chain:${c.profile ?? process.env['AWS_PROFILE'] ?? 'default'}`;
  return `${c.endpoint ?? 'aws'}|${who}`;
}

/**
 * Joins (or opens) the account's shared state. The first provider's rate wins; capacity 1 spaces
 * requests evenly, so no one-second window ever holds more than `requestsPerSecond` of ours.
 */
export function joinAccount(key: string, requestsPerSecond: number): Account {
  let e = registry.get(key);
  if (!e) {
    const queues = new Map<string, SerialQueue>();
    const entry: Entry = {
      key,
      refs: 0,
      bucket: new TokenBucket({ capacity: 1, refillPerMs: requestsPerSecond / 1000 }),
      zoneQueue: (zoneId) => {
        let q = queues.get(zoneId);
        if (!q) queues.set(zoneId, (q = new SerialQueue()));
        return q;
      },
    };
    registry.set(key, entry);
    e = entry;
  }
  e.refs++;
  return e;
}

export function leaveAccount(account: Account): void {
  const e = registry.get(account.key);
  if (e && --e.refs <= 0) registry.delete(account.key);
}
