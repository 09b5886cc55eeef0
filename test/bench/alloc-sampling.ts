/**
 * What a stretch of this process allocates, by function: V8's sampling heap profiler with collected objects
 * kept, so short-lived garbage counts too (what drives scavenges and promotion). For benches only.
 */
import { Session } from 'node:inspector/promises';

interface Node {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: Node[];
}

/** Starts sampling; `stop` returns a table of the top allocating functions (self bytes, MB). */
export async function startAllocationSampling(
  intervalBytes = 4096,
  top = 25,
): Promise<{ stop: () => Promise<string> }> {
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: intervalBytes,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  return {
    stop: async () => {
      const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: { head: Node } };
      session.disconnect();
      const byFn = new Map<string, number>();
      let total = 0;
      const walk = (n: Node, path: string): void => {
        const f = n.callFrame;
        const name = `${f.functionName || '(anon)'} ${f.url.replace(/^.*\/(libs|apps|node_modules)\//, '$1/')}:${f.lineNumber + 1}`;
        if (n.selfSize) {
          byFn.set(`${name}  <- ${path}`, (byFn.get(`${name}  <- ${path}`) ?? 0) + n.selfSize);
          total += n.selfSize;
        }
        for (const c of n.children) walk(c, f.functionName || path);
      };
      walk(profile.head, '');
      const rows = [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top);
      return [
        `allocated ${(total / 2 ** 20).toFixed(1)} MB (sampled), top functions:`,
        ...rows.map(([k, v]) => `  ${(v / 2 ** 20).toFixed(2).padStart(7)} MB  ${k}`),
      ].join('\n');
    },
  };
}
