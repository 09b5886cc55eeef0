/**
 * The worker half of DnsWorkerPool: a DnsServer driven by the cluster primary over IPC. The sockets it
 * binds are shared with the other workers (node:cluster hands every worker the primary's handle), so
 * the kernel spreads datagrams over the workers' event loops.
 */
import cluster from 'node:cluster';
import type { Logger } from '@understudy/core';
import { packQuery } from './pool-protocol.js';
import type { FromWorker, ToWorker, WorkerInit } from './pool-protocol.js';
import { DnsServer } from './server.js';

function send(m: FromWorker): void {
  process.send?.(m);
}

function counter(init: WorkerInit): {
  hook?: (q: { transport: string; path: string; rcode: number; qtype: number }) => void;
  stop: () => void;
} {
  if (!init.reportQueries) return { stop: () => undefined };
  let counts = new Map<number, number>();
  const timer = setInterval(() => {
    if (counts.size === 0) return;
    send({ t: 'us:queries', counts: [...counts] });
    counts = new Map();
  }, init.reportIntervalMs);
  timer.unref();
  return {
    hook: (q) => {
      const key = packQuery(q.transport === 'tcp', q.path === 'slow', q.rcode, q.qtype);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    },
    stop: () => clearInterval(timer),
  };
}

/**
 * Call from a cluster worker (the script DnsWorkerPool forks): serves DNS until the primary says close
 * or goes away. Resolves when the worker has shut down.
 */
export function runDnsWorker(logger: Logger): Promise<void> {
  if (!cluster.isWorker) return Promise.reject(new Error('runDnsWorker must run in a node:cluster worker'));
  return new Promise((resolve) => {
    let server: DnsServer | null = null;
    let stopCounting = (): void => undefined;
    let stopping = false;
    const shutdown = (): void => {
      if (stopping) return;
      stopping = true;
      stopCounting();
      process.removeListener('message', onMessage);
      void (server?.close() ?? Promise.resolve()).finally(() => {
        process.disconnect?.();
        resolve();
      });
    };
    const onMessage = (m: ToWorker): void => {
      if (m.t === 'us:init') {
        const c = counter(m.init);
        stopCounting = c.stop;
        const { reportQueries: _r, reportIntervalMs: _i, ...opts } = m.init;
        server = new DnsServer({ ...opts, logger, ...(c.hook ? { onQuery: c.hook } : {}) });
        if (m.zs) server.setZoneState(m.zs);
        server.start().then(
          () => send({ t: 'us:ready', addresses: server!.addresses() }),
          (err: unknown) => {
            send({ t: 'us:failed', error: err instanceof Error ? err.message : String(err) });
            shutdown();
          },
        );
      } else if (m.t === 'us:zone') {
        const res = server?.setZoneState(m.zs);
        if (res && !res.ok) send({ t: 'us:zone-rejected', serial: m.zs.serial, error: res.error });
      } else if (m.t === 'us:close') {
        shutdown();
      }
    };
    process.on('message', onMessage);
    process.once('disconnect', shutdown);
    send({ t: 'us:hello' });
  });
}
