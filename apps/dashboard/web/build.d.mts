/** Types of build.mjs, for TypeScript callers (tests, benchmarks). */
export interface BuildWebResult {
  outdir: string;
  /** File names written: app-<hash>.js, app-<hash>.css, favicon.svg, index.html. */
  files: string[];
  bytes: number;
}

/** Bundles the dashboard UI (minified) into outdir, default `<repo>/dist/web`. */
export function buildWeb(opts?: { outdir?: string }): Promise<BuildWebResult>;
