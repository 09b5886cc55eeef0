/**
 * External tools some deployment tests need (Debian's prometheus and systemd packages). Locally a missing
 * tool skips its test, with the package named; on CI (CI=true) the test runs and fails instead, so CI
 * must install them (.ci/run).
 */
import { spawnSync } from 'node:child_process';

export function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/** true: run the test. Skips only outside CI, when the tool is absent. */
export function toolOrCi(name: string): boolean {
  return hasTool(name) || process.env.CI === 'true';
}
