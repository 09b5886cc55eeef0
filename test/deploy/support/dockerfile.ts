/** Reads the runtime stage of infra/Dockerfile into what the deployment tests check and reproduce. */

export interface Instruction {
  op: string;
  args: string;
}

export interface RuntimeStage {
  from: string;
  /** Every FROM image of the file, build stages included. */
  images: string[];
  user: string | undefined;
  workdir: string | undefined;
  env: Map<string, string>;
  volumes: string[];
  /** `install -d -o UID -g GID -m MODE PATH…` lines of RUN, as argument lists. */
  installDirs: { owner: string; group: string; mode: string; paths: string[] }[];
  /** The CMD of HEALTHCHECK in exec form, with its options. */
  healthcheck: { options: string; cmd: string[] } | undefined;
  entrypoint: string[];
  cmd: string[];
  copies: string[];
}

/** Instructions with continuation lines joined and comments dropped. */
export function instructions(text: string): Instruction[] {
  const joined = text.replace(/\\\n\s*/g, ' ');
  return joined
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const m = /^(\S+)\s+(.*)$/.exec(l)!;
      return { op: m[1]!.toUpperCase(), args: m[2]!.trim() };
    });
}

const execForm = (s: string): string[] => JSON.parse(s) as string[];

export function runtimeStage(text: string): RuntimeStage {
  const all = instructions(text);
  const froms = all.map((x, i) => ({ x, i })).filter(({ x }) => x.op === 'FROM');
  const last = froms.at(-1)!;
  const stage = all.slice(last.i + 1);
  const of = (op: string) => stage.filter((x) => x.op === op);
  const env = new Map<string, string>();
  for (const e of of('ENV'))
    for (const m of e.args.matchAll(/([A-Z_][A-Z0-9_]*)=("[^"]*"|\S+)/g))
      env.set(m[1]!, m[2]!.replace(/^"|"$/g, ''));
  const installDirs = of('RUN').flatMap((r) =>
    r.args.split(/&&|;/).flatMap((cmd) => {
      const w = cmd.trim().split(/\s+/);
      if (w[0] !== 'install' || !w.includes('-d')) return [];
      const opt = (flag: string) => w[w.indexOf(flag) + 1] ?? '';
      const paths = w
        .slice(1)
        .filter((a, i, arr) => a.startsWith('/') && !['-o', '-g', '-m'].includes(arr[i - 1]!));
      return [{ owner: opt('-o'), group: opt('-g'), mode: opt('-m'), paths }];
    }),
  );
  const hc = of('HEALTHCHECK').at(-1);
  const hcMatch = hc ? /^(.*?)\bCMD\s+(\[.*\])$/.exec(hc.args) : null;
  return {
    from: last.x.args.split(/\s+/)[0]!,
    images: froms.map(({ x }) => x.args.split(/\s+/)[0]!),
    user: of('USER').at(-1)?.args,
    workdir: of('WORKDIR').at(-1)?.args,
    env,
    volumes: of('VOLUME').flatMap((v) => (v.args.startsWith('[') ? execForm(v.args) : v.args.split(/\s+/))),
    installDirs,
    healthcheck: hcMatch ? { options: hcMatch[1]!.trim(), cmd: execForm(hcMatch[2]!) } : undefined,
    entrypoint: execForm(of('ENTRYPOINT').at(-1)?.args ?? '[]'),
    cmd: execForm(of('CMD').at(-1)?.args ?? '[]'),
    copies: of('COPY').map((c) => c.args),
  };
}

/**
 * Whether .dockerignore (its patterns, in order, `!` re-including) keeps `path` out of the build
 * context. Enough of Docker's matching for the patterns this repository uses: `*`, `**`, and directory
 * prefixes.
 */
export function dockerIgnored(dockerignore: string, path: string): boolean {
  const patterns = dockerignore
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  let ignored = false;
  for (const raw of patterns) {
    const negate = raw.startsWith('!');
    const p = (negate ? raw.slice(1) : raw).replace(/^\/+/, '');
    const glob = (part: string) =>
      part
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '[^/]*')
        .replace(/\?/g, '[^/]');
    // `**/` matches no directory or any number of them; a pattern also matches everything under it.
    const body = p
      .split('**/')
      .map((seg) => seg.split('**').map(glob).join('.*'))
      .join('(?:.*/)?');
    const re = new RegExp(`^${body}(?:/.*)?$`);
    if (re.test(path)) ignored = !negate;
  }
  return ignored;
}
