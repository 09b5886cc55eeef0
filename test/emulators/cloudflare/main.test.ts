/** The stand-alone emulator (`npm run emulate:cloudflare`) starts, serves the SDK's paths, and stops on SIGTERM. */
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { spawnChild, type Child } from '@understudy/testkit/process';
import { waitFor } from '@understudy/testkit/wait';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const TSX = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));
let child: Child | undefined;

afterEach(async () => {
  await child?.stop(5_000);
});

it('runs on its own with --real-limits and answers with the configured token', async () => {
  child = spawnChild(TSX, [MAIN, '--port', '0', '--zone', 'demo.test', '--token', 'local', '--real-limits']);
  const c = child;
  const url = await waitFor(() => /endpoint (http:\/\/\S+)/.exec(c.output())?.[1], {
    timeoutMs: 30_000,
    what: `emulator start (output: ${c.output()})`,
  });
  const res = await fetch(`${url}/zones?name=demo.test`, { headers: { authorization: 'Bearer local' } });
  expect(res.status).toBe(200);
  expect(res.headers.get('ratelimit-policy')).toBe('"default";q=1200;w=300');
  expect(((await res.json()) as { result: { name: string }[] }).result.map((z) => z.name)).toEqual([
    'demo.test',
  ]);
  expect(await c.stop(5_000)).toBe(0);
});

it('exits 2 with usage on a bad argument', async () => {
  child = spawnChild(TSX, [MAIN, '--port', 'abc']);
  expect(await child.exited).toBe(2);
  expect(child.output()).toContain('--port must be a non-negative number');
});
