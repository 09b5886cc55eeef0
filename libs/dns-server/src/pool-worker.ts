/**
 * The worker half of DnsWorkerPool: a DnsServer driven by the cluster primary over IPC. The sockets it
 * binds are shared with the other workers (node:cluster hands every worker the primary's handle), so
 * the kernel spreads datagrams over the workers' event loops. The zone base is loaded here, from the
 * primary's opaque source (e.g. a config path): only overlays and their deltas travel over IPC.
 */
import cluster from 'node:cluster';
import { rehearsalDelay, type Logger } from '@understudy/core';
import type { BaseMessage, FromWorker, ToWorker, Versioned } from './pool-protocol.js';
import { wallMs, type WorkerApplyTrace } from './publish-trace.js';
import { DnsServer } from './server.js';
import type { SetZoneStateResult } from './server.js';
import type { ZoneBase } from './zone-base.js';

/** Builds the zone base from DnsWorkerPoolOptions.baseSource, the same way the primary did. */
export type LoadBase = (source: unknown) => ZoneBase | Promise<ZoneBase>;

function send(m: FromWorker): void {
  process.send?.(m);
}

/** How long a worker whose primary went away waits for its sockets to close before it exits anyway. */
const DISCONNECT_GRACE_MS = 2000;

/**
 * Issue 11: a worker rehearses an update (DnsServer.rehearse: planned, never committed) 10 s after it
 * listens (start-up work, the primary's and the other workers', first), then as rehearsalDelay says, so a
 * real failover's plan and encode run compiled code.
 */
const REHEARSE_EVERY_MS = 60_000;
const REHEARSE_FIRST_MS = 10_000;

/** Lets the event loop read the sockets (poll phase) before the next slice of an update (check phase). */
const yieldToIo = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Gives a build's garbage back to the system (e.g. a memory-reducing full collection). It stops the worker
 * for its length, so the primary asks for it (us:settle) only once this worker listens and one worker at a
 * time; after a reload's base the worker runs it itself, the others answering meanwhile.
 */
export type SettleHeap = () => void;

/**
 * Call from a cluster worker (the script DnsWorkerPool forks): serves DNS until the primary says close
 * or goes away. Resolves when the worker has shut down. `loadBase` is needed when the primary serves a
 * base (setBase); a primary using setZoneState only sends whole states.
 */
export function runDnsWorker(logger: Logger, loadBase?: LoadBase, settleHeap?: SettleHeap): Promise<void> {
  if (!cluster.isWorker) return Promise.reject(new Error('runDnsWorker must run in a node:cluster worker'));
  return new Promise((resolve) => {
    let server: DnsServer | null = null;
    /** Generation of the snapshot the server holds, acknowledged through onServing. */
    let gen = 0;
    let stopping = false;
    /** Messages are handled one after another: a base may load asynchronously while updates queue. */
    let queue: Promise<void> = Promise.resolve();
    /** The us:update applying now: when it arrived and started, for the publish breakdown. */
    let applying: WorkerApplyTrace | undefined;
    /** Messages received and not yet handled: a rehearsal gives way to them. */
    let waiting = 0;
    let rehearseTimer: NodeJS.Timeout | undefined;
    const rehearseLater = (done: number, first = false): void => {
      if (stopping) return;
      rehearseTimer = setTimeout(
        () => {
          queue = queue.then(async () => {
            if (stopping || !server) return;
            let planned = 0;
            try {
              planned = await server.rehearse(yieldToIo, () => waiting > 0 || stopping);
            } catch (err) {
              logger.error({ err }, 'dns: update rehearsal failed');
            }
            rehearseLater(planned > 0 ? done + 1 : done);
          });
        },
        rehearsalDelay(first, done, REHEARSE_FIRST_MS, REHEARSE_EVERY_MS),
      );
      rehearseTimer.unref();
    };
    const shutdown = (): void => {
      if (stopping) return;
      stopping = true;
      clearTimeout(rehearseTimer);
      process.removeListener('message', onMessage);
      void (server?.close() ?? Promise.resolve()).finally(() => {
        // Already disconnected when the primary went away: disconnect() would then emit an error.
        if (process.connected) process.disconnect?.();
        resolve();
      });
    };
    /**
     * The primary is gone (killed, or exited without stopping its workers): no one will send close, and
     * these workers ignore SIGTERM and SIGINT. Stop serving at once, and resolve within DISCONNECT_GRACE_MS
     * even if closing a socket that was shared through the primary never completes, so that the worker
     * process exits (its entries exit when runDnsWorker resolves) instead of serving on unmanaged.
     */
    const onDisconnect = (): void => {
      setTimeout(resolve, DISCONNECT_GRACE_MS).unref();
      shutdown();
    };
    /** Runs a change with `next` as the generation onServing reports; restores it on failure. */
    const versioned = (next: number, change: () => SetZoneStateResult): SetZoneStateResult => {
      const before = gen;
      gen = next; // before the swap: a started server reports serving from inside the change
      const res = change();
      if (!res.ok) gen = before;
      return res;
    };
    const applyState = (s: DnsServer, v: Versioned): void => {
      const res = versioned(v.gen, () => s.setZoneState(v.zs));
      if (!res.ok) send({ t: 'us:zone-rejected', serial: v.zs.serial, error: res.error });
    };
    const applyBase = async (s: DnsServer, b: BaseMessage): Promise<void> => {
      let res: SetZoneStateResult;
      try {
        if (!loadBase) throw new Error('this worker script passes no loadBase to runDnsWorker');
        const base = await loadBase(b.source);
        res = versioned(b.gen, () => s.setBase(base, b.overlay));
      } catch (err) {
        res = { ok: false, error: `loading the zone base failed: ${message(err)}` };
      }
      if (!res.ok) send({ t: 'us:zone-rejected', serial: b.overlay.serial, error: res.error });
    };
    const init = async (m: Extract<ToWorker, { t: 'us:init' }>): Promise<void> => {
      const { countQueries, transfer, ...opts } = m.init;
      const s = new DnsServer({
        ...opts,
        ...(transfer
          ? {
              transfer: {
                ...transfer,
                keys: transfer.keys.map((k) => ({ name: k.name, secret: Buffer.from(k.secret, 'base64') })),
              },
              onTransfer: (info) => send({ t: 'us:transfer', info }),
            }
          : {}),
        logger,
        onServing: (serial) => send({ t: 'us:serving', gen, serial, at: wallMs() }),
        onApplied: (info) => send({ t: 'us:applied', info, ...(applying ? { trace: applying } : {}) }),
        ...(countQueries
          ? {
              onQueries: (counts, latency) =>
                send({ t: 'us:counts', counts, ...(latency ? { latency } : {}) }),
            }
          : {}),
      });
      server = s;
      if (m.base) await applyBase(s, m.base);
      else if (m.state) applyState(s, m.state);
      if (stopping) return; // closed while the base loaded: never bind
      try {
        await s.start();
        send({ t: 'us:ready', addresses: s.addresses() });
        rehearseLater(0, true);
      } catch (err) {
        // The errno fields let the CLI name the address in one line (EADDRINUSE, EACCES).
        const e = err as { code?: unknown; address?: unknown; port?: unknown };
        send({
          t: 'us:failed',
          error: message(err),
          ...(typeof e.code === 'string' ? { code: e.code } : {}),
          ...(typeof e.address === 'string' ? { address: e.address } : {}),
          ...(typeof e.port === 'number' ? { port: e.port } : {}),
        });
        shutdown();
      }
    };
    const handle = async (m: ToWorker, receivedAt: number): Promise<void> => {
      if (stopping) return;
      if (m.t === 'us:init') return init(m);
      if (!server) return;
      if (m.t === 'us:zone') applyState(server, m);
      else if (m.t === 'us:base') {
        await applyBase(server, m);
        // A reload's build: its garbage is dead once the new base serves (see SettleHeap).
        if (settleHeap) setImmediate(settleHeap);
      } else if (m.t === 'us:settle') {
        const t0 = performance.now();
        settleHeap?.();
        send({ t: 'us:settled', ms: Math.round(performance.now() - t0) });
      } else if (m.t === 'us:update') {
        // Sliced, yielding to the sockets between slices: a query never waits behind a whole update.
        const before = gen;
        gen = m.gen; // before the swap: the server reports serving from inside the change
        applying = { gen: m.gen, receivedAt, startedAt: wallMs() };
        const res = await server.applyUpdateSliced(m.u, yieldToIo).finally(() => (applying = undefined));
        if (!res.ok) gen = before;
        const serial = m.u.kind === 'delta' ? m.u.delta.serial : m.u.overlay.serial;
        if (!res.ok) send({ t: 'us:update-rejected', kind: m.u.kind, serial, error: res.error });
      }
    };
    const onMessage = (m: ToWorker): void => {
      if (m.t === 'us:close') {
        shutdown();
        return;
      }
      const receivedAt = wallMs();
      waiting++;
      queue = queue
        .then(() => {
          waiting--;
          return handle(m, receivedAt);
        })
        .catch((err: unknown) => logger.error({ err }, 'dns: worker message failed'));
    };
    process.on('message', onMessage);
    process.once('disconnect', onDisconnect);
    send({ t: 'us:hello' });
  });
}
