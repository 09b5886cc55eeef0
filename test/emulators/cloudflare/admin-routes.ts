/**
 * The emulator's own control API under /__emulator/ (no auth, no faults, not counted): stats, faults,
 * zones, and record inspection/seeding/editing for drift tests and local trials.
 */
import { asObject } from './http-util.js';
import type { RecordInput } from './records.js';
import { ApiFailure, type EmulatorStats, type EmulatorZoneOptions } from './types.js';
import type { ZoneStore } from './zone-store.js';
import type { FaultGate } from './faults.js';

export interface AdminContext {
  store: ZoneStore;
  gate: FaultGate;
  stats: () => EmulatorStats;
  resetStats: () => void;
  addToken: (token: string, user?: string) => void;
}

/**
 * GET  /__emulator/stats                       counters
 * POST /__emulator/stats/reset
 * GET  /__emulator/faults                      current faults
 * POST /__emulator/faults                      merge {rateLimit, fail429Next, retryAfterSeconds, fail5xxNext,
 *                                              error5xxRate, latencyMs, faultOps}
 * POST /__emulator/zones                       add {name, id?, enterprise?}
 * POST /__emulator/tokens                      accept {token, user?}: tokens of one user share its rate limit
 * GET  /__emulator/zones/:zone/records         every record (zone = id or apex name)
 * POST /__emulator/zones/:zone/records         seed {records: [...]} (Cloudflare record bodies)
 * PATCH /__emulator/zones/:zone/records/:id    out-of-band edit (drift)
 * DELETE /__emulator/zones/:zone/records/:id   out-of-band delete
 */
export async function admin(
  method: string,
  parts: string[],
  readBody: () => Promise<unknown>,
  ctx: AdminContext,
): Promise<unknown> {
  const [what, zone, sub, id] = parts;
  const key = `${method} ${what ?? ''}${zone === undefined ? '' : '/:zone'}${sub === undefined ? '' : `/${sub}`}${id === undefined ? '' : '/:id'}`;
  switch (key) {
    case 'GET stats':
      return ctx.stats();
    case 'POST stats/:zone':
      if (zone !== 'reset') break;
      ctx.resetStats();
      return ctx.stats();
    case 'GET faults':
      return ctx.gate.current();
    case 'POST faults':
      return ctx.gate.set(asObject(await readBody()));
    case 'POST zones': {
      const body = asObject(await readBody());
      if (typeof body['name'] !== 'string') throw new ApiFailure(400, 1004, 'zone name is required');
      return ctx.store.addZone(body as unknown as EmulatorZoneOptions);
    }
    case 'POST tokens': {
      const body = asObject(await readBody());
      const { token, user } = body;
      if (typeof token !== 'string' || token === '' || (user !== undefined && typeof user !== 'string'))
        throw new ApiFailure(400, 1004, 'expected {token: string, user?: string}');
      ctx.addToken(token, user);
      return { token: '(accepted)', user: user ?? null };
    }
    case 'GET zones/:zone/records':
      return ctx.store.all(zone!);
    case 'POST zones/:zone/records': {
      const recs = asObject(await readBody())['records'];
      if (!Array.isArray(recs)) throw new ApiFailure(400, 1004, 'records must be an array');
      return ctx.store.seed(ctx.store.zone(zone!).id, recs as RecordInput[]);
    }
    case 'PATCH zones/:zone/records/:id':
      return ctx.store.edit(ctx.store.zone(zone!).id, id!, asObject(await readBody()));
    case 'DELETE zones/:zone/records/:id':
      return ctx.store.batch(ctx.store.zone(zone!).id, { deletes: [{ id: id! }] }).deletes[0];
  }
  throw new ApiFailure(404, 7000, `No emulator route for ${method} /__emulator/${parts.join('/')}`);
}
