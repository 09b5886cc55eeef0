/** Starts the real `understudy` CLI (the built bundle) as a child process, for system tests. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { spawnChild, type Child } from '@understudy/testkit/process';
import { waitFor } from '@understudy/testkit/wait';

export const CLI = fileURLToPath(new URL('../../dist/understudy.mjs', import.meta.url));

export function understudy(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Child {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  return spawnChild(process.execPath, [CLI, ...args], { ...opts });
}

/** Runs a short command to completion and returns its exit code and output. */
export async function understudyOnce(
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number | string; output: string }> {
  const child = understudy(args, opts);
  const code = await child.exited;
  return { code, output: child.output() };
}

/** waitFor, and when it times out, the error carries what the `understudy` child printed meanwhile. */
export async function waitForApp<T>(
  app: Child | undefined,
  probe: Parameters<typeof waitFor<T>>[0],
  opts: Parameters<typeof waitFor<T>>[1],
): Promise<T> {
  return waitFor(probe, opts).catch((err: unknown) => {
    throw new Error(`${String(err)}\n--- understudy output ---\n${app?.output() ?? ''}`);
  });
}
