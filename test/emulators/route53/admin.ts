/**
 * The emulator's own JSON admin API under /__emulator/, for the CLI demo and tests in other processes:
 *   GET  /__emulator/health                   → { ok: true }
 *   GET  /__emulator/stats                    → counters (see Route53Stats)
 *   POST /__emulator/stats/reset
 *   GET  /__emulator/faults                   → current faults
 *   POST /__emulator/faults  {…partial}       → merged faults (unknown keys or bad values: 400)
 *   GET  /__emulator/zones                    → [{ id, name }]
 *   POST /__emulator/zones   { name, id? }    → { id, name }
 *   POST /__emulator/accounts { accessKeyId, account } → the key's requests count against the account
 *   GET  /__emulator/zones/:id/records        → RRsets
 *   POST /__emulator/zones/:id/records { put?: RRset[], remove?: {name,type}[] } → RRsets (out-of-band edit)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseFaults } from './faults.js';
import type { Route53Emulator } from './server.js';
import type { EmuRecord } from './types.js';
import { ApiError } from './types.js';

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function json(
  req: IncomingMessage,
  readBody: (r: IncomingMessage) => Promise<string>,
): Promise<unknown> {
  const text = await readBody(req);
  try {
    return text.trim() === '' ? {} : (JSON.parse(text) as unknown);
  } catch {
    throw new ApiError(400, 'BadJson', 'body is not JSON');
  }
}

function isRecord(x: unknown): x is EmuRecord {
  const r = x as Partial<EmuRecord> | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.name === 'string' &&
    typeof r.type === 'string' &&
    typeof r.ttl === 'number' &&
    Array.isArray(r.values) &&
    r.values.every((v) => typeof v === 'string')
  );
}

export async function handleAdmin(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  emu: Route53Emulator,
  readBody: (r: IncomingMessage) => Promise<string>,
): Promise<void> {
  const parts = url.pathname.split('/').filter(Boolean).slice(1);
  const m = req.method ?? 'GET';
  try {
    if (m === 'GET' && parts[0] === 'health') return send(res, 200, { ok: true });
    if (parts[0] === 'stats') {
      if (m === 'GET' && parts.length === 1) return send(res, 200, emu.stats());
      if (m === 'POST' && parts[1] === 'reset') return (emu.resetStats(), send(res, 200, { ok: true }));
    }
    if (parts[0] === 'accounts' && parts.length === 1 && m === 'POST') {
      const b = (await json(req, readBody)) as { accessKeyId?: unknown; account?: unknown };
      if (typeof b.accessKeyId !== 'string' || typeof b.account !== 'string')
        return send(res, 400, { error: 'expected { accessKeyId: string, account: string }' });
      emu.setAccount(b.accessKeyId, b.account);
      return send(res, 200, { accessKeyId: b.accessKeyId, account: b.account });
    }
    if (parts[0] === 'faults' && parts.length === 1) {
      if (m === 'GET') return send(res, 200, emu.faults());
      if (m === 'POST') {
        const p = parseFaults(await json(req, readBody));
        return p.ok ? send(res, 200, emu.setFaults(p.faults)) : send(res, 400, { error: p.error });
      }
    }
    if (parts[0] === 'zones' && parts.length === 1) {
      if (m === 'GET')
        return send(
          res,
          200,
          emu.store.zonesByName().map((z) => ({ id: z.id, name: z.name })),
        );
      if (m === 'POST') {
        const b = (await json(req, readBody)) as { name?: unknown; id?: unknown };
        if (typeof b.name !== 'string' || (b.id !== undefined && typeof b.id !== 'string')) {
          return send(res, 400, { error: 'expected { name: string, id?: string }' });
        }
        return send(res, 200, { id: emu.createZone(b.name, b.id), name: b.name });
      }
    }
    if (parts[0] === 'zones' && parts.length === 3 && parts[2] === 'records') {
      const id = decodeURIComponent(parts[1]!);
      if (m === 'GET') return send(res, 200, emu.records(id));
      if (m === 'POST') {
        const b = (await json(req, readBody)) as { put?: unknown; remove?: unknown };
        const put = b.put ?? [];
        const remove = b.remove ?? [];
        const isKey = (k: unknown): boolean =>
          typeof (k as { name?: unknown } | null)?.name === 'string' &&
          typeof (k as { type?: unknown }).type === 'string';
        if (!Array.isArray(put) || !put.every(isRecord) || !Array.isArray(remove) || !remove.every(isKey)) {
          return send(res, 400, {
            error: 'expected { put?: {name,type,ttl,values}[], remove?: {name,type}[] }',
          });
        }
        emu.edit(id, { put, remove: remove as { name: string; type: string }[] });
        return send(res, 200, emu.records(id));
      }
    }
    send(res, 404, { error: `no admin route ${m} ${url.pathname}` });
  } catch (err) {
    if (err instanceof ApiError) send(res, err.status, { error: err.message, code: err.code });
    else send(res, 500, { error: err instanceof Error ? err.message : 'error' });
  }
}
