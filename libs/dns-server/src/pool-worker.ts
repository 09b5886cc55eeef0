/**
 * The worker half of DnsWorkerPool: a DnsServer driven by the cluster primary over IPC. The sockets it
 * binds are shared with the other workers (node:cluster hands every worker the primary's handle), so
 * the kernel spreads datagrams over the workers' event loops.
 */
import cluster from 'node:cluster';
import type { Logger } from '@understudy/core';
import type { FromWorker, ToWorker, Versioned } from './pool-protocol.js';
import { DnsServer } from './server.js';

function send(m: FromWorker): void {
  process.send?.(m);
}

/**
 * Call from a cluster worker (the script DnsWorkerPool forks): serves DNS until the primary says close
 * or goes away. Resolves when the worker has shut down.
 */
export function runDnsWorker(logger: Logger): Promise<void> {
  if (!cluster.isWorker) return Promise.reject(new Error('runDnsWorker must run in a node:cluster worker'));
  return new Promise((resolve) => {
    let server: DnsServer | null = null;
    /** Generation of the snapshot the server holds, acknowledged through onServing. */
    let gen = 0;
    let stopping = false;
    const shutdown = (): void => {
      if (stopping) return;
      stopping = true;
      process.removeListener('message', onMessage);
      void (server?.close() ?? Promise.resolve()).finally(() => {
        process.disconnect?.();
        resolve();
      });
    };
    const apply = (s: DnsServer, v: Versioned): void => {
      const before = gen;
      gen = v.gen; // before the swap: a started server reports serving from inside setZoneState
      const res = s.setZoneState(v.zs);
      if (res.ok) return;
      gen = before;
      send({ t: 'us:zone-rejected', serial: v.zs.serial, error: res.error });
    };
    const init = (m: Extract<ToWorker, { t: 'us:init' }>): void => {
      const { countQueries, ...opts } = m.init;
      const s = new DnsServer({
        ...opts,
        logger,
        onServing: (serial) => send({ t: 'us:serving', gen, serial }),
        ...(countQueries
          ? {
              onQueries: (counts, latency) =>
                send({ t: 'us:counts', counts, ...(latency ? { latency } : {}) }),
            }
          : {}),
      });
      server = s;
      if (m.state) apply(s, m.state);
      s.start().then(
        () => send({ t: 'us:ready', addresses: s.addresses() }),
        (err: unknown) => {
          send({ t: 'us:failed', error: err instanceof Error ? err.message : String(err) });
          shutdown();
        },
      );
    };
    const onMessage = (m: ToWorker): void => {
      if (m.t === 'us:init') init(m);
      else if (m.t === 'us:zone') {
        if (server) apply(server, m);
      } else if (m.t === 'us:close') shutdown();
    };
    process.on('message', onMessage);
    process.once('disconnect', shutdown);
    send({ t: 'us:hello' });
  });
}
