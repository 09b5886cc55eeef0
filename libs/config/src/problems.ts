/** Collects config problems by path while the config is being checked; positions are attached later. */

export type PathSegment = string | number;
export type Path = readonly PathSegment[];

/**
 * Where a problem came from decides which one wins when two land on the same spot:
 * an env problem hides everything below it, a schema problem hides semantic ones below it,
 * and a semantic problem replaces the (less specific) schema message at exactly its path.
 */
export type ProblemOrigin = 'env' | 'schema' | 'semantic';

export interface RawProblem {
  path: Path;
  message: string;
  origin: ProblemOrigin;
  /** Point at the key of the last segment instead of its value (unknown keys). */
  atKey?: boolean;
}

export class Problems {
  readonly errors: RawProblem[] = [];
  readonly warnings: RawProblem[] = [];

  error(path: Path, message: string, origin: ProblemOrigin = 'semantic', atKey = false): void {
    this.errors.push({ path: [...path], message, origin, atKey });
  }

  warn(path: Path, message: string): void {
    this.warnings.push({ path: [...path], message, origin: 'semantic' });
  }
}

const SIMPLE_KEY = /^[A-Za-z0-9_-]+$/;

/** `zones[0].failover[1].answers[0].check`; odd map keys are quoted: `headers["x.y"]`. */
export function formatPath(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (SIMPLE_KEY.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

export function isPrefix(prefix: Path, path: Path): boolean {
  return prefix.length <= path.length && prefix.every((seg, i) => seg === path[i]);
}

/** Applies the precedence rules of ProblemOrigin. */
export function dropShadowed(problems: readonly RawProblem[]): RawProblem[] {
  const env = problems.filter((p) => p.origin === 'env');
  const schema = problems.filter((p) => p.origin === 'schema');
  const semantic = problems.filter((p) => p.origin === 'semantic');
  const same = (a: Path, b: Path): boolean => a.length === b.length && isPrefix(a, b);
  const underEnv = (p: RawProblem): boolean => env.some((e) => isPrefix(e.path, p.path));
  return problems.filter((p) => {
    if (p.origin === 'env') return true;
    if (underEnv(p)) return false;
    // A bad key name (atKey) says nothing about the value below it, so it shadows nothing.
    if (p.origin === 'semantic')
      return !schema.some((s) => !s.atKey && s.path.length < p.path.length && isPrefix(s.path, p.path));
    return !semantic.some((s) => same(s.path, p.path));
  });
}

/** Edit distance where swapping two neighbours counts once (optimal string alignment), for typo hints. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest candidate to a misspelt word, if it is close enough to be a likely typo. */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const lower = word.toLowerCase();
  for (const c of candidates) {
    const d = c.toLowerCase() === lower ? 0 : editDistance(lower, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  const limit = Math.max(1, Math.floor(word.length / 3));
  return bestDistance <= limit ? best : undefined;
}

export function didYouMean(word: string, candidates: Iterable<string>): string {
  const s = suggest(word, candidates);
  return s === undefined ? '' : ` (did you mean "${s}"?)`;
}
