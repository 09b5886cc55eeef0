/**
 * Gives the start-up peak of the JS heap back to the system (issue 11: RSS at 110,000 records).
 *
 * Parsing a large config and building a zone base leave hundreds of MB of garbage; V8 collects it but keeps
 * the pages (a grown young generation, fragmented old-space pages), so RSS stays at the peak: 480 MB for
 * a heap of 60 MB live after parsing the 110,000-record config. A plain full collection (`gc()`) gives back
 * about 60 MB of that; the memory-reducing one V8 runs under memory pressure ("last resort": compacts every
 * space and releases pooled pages) brings RSS to 156 MB. It stops the event loop for its length (tens to
 * a few hundred ms at that size), so callers run it once, right after a start-up or a rebuild, never per
 * change, and only in a process that does not answer queries meanwhile.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Gc = (options?: { type?: 'major' | 'minor'; execution?: 'sync' | 'async'; flavor?: string }) => void;

let gc: Gc | null | undefined;

/** `gc` as --expose-gc gives it, without the flag: a context created after setting it carries it. */
function exposedGc(): Gc | null {
  if (gc !== undefined) return gc;
  const own = (globalThis as { gc?: Gc }).gc;
  if (own) return (gc = own);
  try {
    setFlagsFromString('--expose-gc');
    gc = (runInNewContext('gc') as Gc | undefined) ?? null;
  } catch {
    gc = null;
  }
  return gc;
}

const afterRelease = new Set<() => void>();

/**
 * Calls `fn` right after each memory-reducing collection of this process (releaseHeap): what ran before
 * it runs at about half speed once more (issue 11: DeciderRole.rewarm). Returns the unsubscribe.
 */
export function onHeapReleased(fn: () => void): () => void {
  afterRelease.add(fn);
  return () => afterRelease.delete(fn);
}

/**
 * Runs a memory-reducing full collection now (`reduce` false: a plain full one, several times shorter);
 * false when this V8 offers none.
 */
export function releaseHeap(reduce = true): boolean {
  const run = exposedGc();
  if (!run) return false;
  run({ type: 'major', execution: 'sync', flavor: reduce ? 'last-resort' : 'regular' });
  if (reduce)
    for (const fn of [...afterRelease]) {
      try {
        fn();
      } catch {
        // A listener's failure is its own; the collection happened.
      }
    }
  return true;
}

export interface HeapSettlerOptions {
  /** How often the heap is looked at (ms). Default 5 000. */
  everyMs?: number;
  /** For how long after start (ms); the bursts worth settling are the start-up ones. Default 60 000. */
  windowMs?: number;
  /**
   * Releases at most, the one at start included. Default 3: each stops this process's event loop (up to
   * 1.5 s on a loaded 2-core machine at 110,000 records), which delays its decider meanwhile.
   */
  maxReleases?: number;
  /** Heap size (bytes) below which nothing is done. Default 64 MiB. */
  floor?: number;
  /** The heap's total and live bytes; default v8's. */
  heap?: () => { total: number; used: number };
  /** The collection; default releaseHeap. */
  release?: () => boolean;
  /** Told after each release, with the heap before and after. */
  onRelease?: (before: { total: number; used: number }, after: { total: number; used: number }) => void;
}

const v8Heap = (): { total: number; used: number } => {
  const m = process.memoryUsage();
  return { total: m.heapTotal, used: m.heapUsed };
};

/**
 * Releases the heap now, then again whenever it has grown to more than twice what the last release left
 * (and above `floor`), until `windowMs` after start: the decider's first verdicts for every record, right
 * after start, leave as much garbage as the config parse. Returns a stop function.
 */
export function settleHeapAfterStart(opts: HeapSettlerOptions = {}): () => void {
  const heap = opts.heap ?? v8Heap;
  const release = opts.release ?? releaseHeap;
  const floor = opts.floor ?? 64 * 2 ** 20;
  let settled = 0;
  let left = opts.maxReleases ?? 3;
  const settle = (): void => {
    const before = heap();
    if (!release()) return stop();
    const after = heap();
    settled = after.total;
    opts.onRelease?.(before, after);
    if (--left <= 0) stop();
  };
  const timer = setInterval(() => {
    const h = heap();
    if (h.total > floor && h.total > 2 * settled) settle();
  }, opts.everyMs ?? 5_000);
  timer.unref();
  const end = setTimeout(() => stop(), opts.windowMs ?? 60_000);
  end.unref();
  function stop(): void {
    clearInterval(timer);
    clearTimeout(end);
  }
  settle();
  return stop;
}
