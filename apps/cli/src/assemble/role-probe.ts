/** The probe role of a process: the checks of its regions, published to the decider through the bus. */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { ProbeRole } from '@understudy/probe';
import type { AssemblyContext, RolePart } from './types.js';

export async function startProbePart(ctx: AssemblyContext): Promise<RolePart> {
  const { opts, backend, clock, random, stack } = ctx;
  const loaded = ctx.current();
  const regions = opts.regions ?? loaded.config.regions;
  const bus = await backend.bus();
  const probes = ProbeRole.start({
    config: loaded.config,
    regions,
    bus,
    clock,
    random,
    logger: ctx.log('probe'),
    probeId: `${hostname()}-${randomUUID().slice(0, 8)}`,
    configHash: loaded.hash,
  });
  // The probes make one last publish attempt of what they hold, so the bus (pushed before) closes after them.
  await stack.push('probes', () => probes.close());
  const connection = backend.connection;
  return {
    name: 'probe',
    handle: () => probes,
    reloadTarget: () => probes,
    // Not ready while results cannot reach Redis; the checks keep running meanwhile.
    ...(connection ? { ready: () => connection.health().ok } : {}),
    detail: () => ({ regions, probes: probes.stats() }),
    status: () => ({ role: 'probe', regions, configHash: ctx.current().hash, probes: probes.stats() }),
  };
}
