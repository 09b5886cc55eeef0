/** dns.transfer (issue 15): ACLs, TSIG keys and NOTIFY targets, each checked and named by its path. */
import { isIP } from 'node:net';
import type { DnsTransferConfig } from '@understudy/core';
import { parseListenAddress } from './listen-address.js';
import type { Problems } from './problems.js';
import { duration, int, isObj, list, str } from './read.js';
import type { Obj } from './read.js';

/** Key names compare as DNS names: lower case, with the trailing dot. */
export function keyName(name: string): string {
  const n = name.trim().toLowerCase();
  return n.endsWith('.') ? n : `${n}.`;
}

function networkProblem(network: string): string | null {
  const [addr = '', bits, ...rest] = network.split('/');
  const family = isIP(addr);
  if (family === 0 || rest.length > 0) return `"${network}" is not an address or a CIDR network`;
  if (bits === undefined) return null;
  const max = family === 4 ? 32 : 128;
  return /^\d+$/.test(bits) && Number(bits) <= max ? null : `"${network}": prefix length must be 0..${max}`;
}

export function buildDnsTransfer(raw: unknown, problems: Problems): DnsTransferConfig {
  const o: Obj = isObj(raw) ? raw : {};
  const at = (...p: (string | number)[]): (string | number)[] => ['dns', 'transfer', ...p];
  const keys: DnsTransferConfig['keys'] = [];
  for (const [i, k] of list(o.keys).entries()) {
    if (!isObj(k)) continue;
    const name = str(k.name);
    const secret = str(k.secret);
    if (name === undefined || secret === undefined) continue;
    const decoded = Buffer.from(secret, 'base64');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(secret) || decoded.length < 16)
      problems.error(
        at('keys', i, 'secret'),
        'must be base64 of at least 16 octets (e.g. `openssl rand -base64 32`)',
      );
    if (keys.some((x) => x.name === keyName(name)))
      problems.error(at('keys', i, 'name'), `key ${name} is listed twice`);
    keys.push({ name: keyName(name), secret });
  }
  const known = new Set(keys.map((k) => k.name));
  const keyRef = (v: unknown, path: (string | number)[]): string | null => {
    const s = str(v);
    if (s === undefined) return null;
    if (!known.has(keyName(s))) problems.error(path, `no key named ${s} in dns.transfer.keys`);
    return keyName(s);
  };
  const allow: DnsTransferConfig['allow'] = [];
  for (const [i, a] of list(o.allow).entries()) {
    if (!isObj(a) || str(a.network) === undefined) continue;
    const network = str(a.network)!.trim();
    const p = networkProblem(network);
    if (p) problems.error(at('allow', i, 'network'), p);
    allow.push({ network, key: keyRef(a.key, at('allow', i, 'key')) });
  }
  const notify: DnsTransferConfig['notify'] = [];
  for (const [i, n] of list(o.notify).entries()) {
    if (!isObj(n) || str(n.address) === undefined) continue;
    try {
      const { host, port } = parseListenAddress(str(n.address)!);
      if (port === 0) throw new Error('port 0 is not a secondary');
      notify.push({
        host: host === 'localhost' ? '127.0.0.1' : host,
        port,
        key: keyRef(n.key, at('notify', i, 'key')),
      });
    } catch (err) {
      problems.error(at('notify', i, 'address'), (err as Error).message);
    }
  }
  return {
    allow,
    keys,
    notify,
    journalSize: int(o.journalSize, 1, 1_000_000) ?? 1000,
    notifyRetry: duration(o.notifyRetry, at('notifyRetry'), 1000, problems, { min: 10 }),
    notifyRetryMax: duration(o.notifyRetryMax, at('notifyRetryMax'), 60_000, problems, { min: 10 }),
    notifyMinInterval: duration(o.notifyMinInterval, at('notifyMinInterval'), 20, problems),
  };
}
