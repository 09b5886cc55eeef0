/** Starts the real `understudy` CLI (the built bundle) as a child process, for system tests. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { spawnChild, type Child } from '@understudy/testkit/process';

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
