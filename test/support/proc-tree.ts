/** Linux /proc views of processes a test started: their children, and whether they still run. */
import { readFileSync } from 'node:fs';

/** The direct children of `pid` (empty when it has none or is gone). */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** True while `pid` runs: a zombie (exited, not yet reaped by whoever adopted it) does not count. */
export function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The state follows the command name, which is in parentheses and may itself contain spaces.
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** SIGKILLs the processes that still run (a failed test's leftovers); they are the test's own children. */
export function killLeftovers(pids: number[]): void {
  for (const pid of pids.filter(running)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}
