/**
 * Run BIND's `dig` or Knot's `kdig` against a server and parse the reply into plain data.
 *
 *   const r = await dig({ server: '127.0.0.1', port, name: 'www.example.test', type: 'A', flags: ['+norec'] });
 *   r.status        // 'NOERROR', 'NXDOMAIN', 'BADVERS', …
 *   r.flags         // ['qr', 'aa'] (header flags, lower case)
 *   r.answer[0]     // { name: 'www.example.test.', ttl: 300, class: 'IN', type: 'A', data: '192.0.2.1' }
 *   r.opt           // null when the reply had no OPT record, else { version, udp, flags: ['do'], options: ['COOKIE'] }
 *
 * The binary runs through execFile (never a shell) with a time limit; `flags` are passed as given
 * (e.g. '+tcp', '+norec', '+edns=1', '+bufsize=512'). dig is started with -r so no ~/.digrc applies.
 * When no reply arrives (timeout, refused connection, bad arguments) the promise rejects with DigError,
 * which carries the exit code and the raw output. With several replies in the output (dig retrying
 * over TCP after TC=1), the last one is parsed. Flags that change the output format (+short,
 * +multiline, +yaml, +noall…) are not supported: the parser needs the default layout.
 */
import { execFile } from 'node:child_process';

export interface DigRecord {
  name: string;
  ttl: number;
  class: string;
  type: string;
  /** Presentation format as the tool prints it (TXT keeps its quotes). */
  data: string;
}

export interface DigOpt {
  version: number;
  udp: number;
  /** EDNS flags by name ('do'); unknown bits as dig/kdig print them (e.g. 'MBZ: 0x0040'). */
  flags: string[];
  /** Option names as printed, e.g. 'COOKIE', 'NSID', 'OPT=100'. */
  options: string[];
}

export interface DigResult {
  status: string;
  opcode: string;
  flags: string[];
  answer: DigRecord[];
  authority: DigRecord[];
  additional: DigRecord[];
  opt: DigOpt | null;
  raw: string;
}

export interface DigOptions {
  server: string;
  port: number;
  name: string;
  /** Defaults to 'A'. Any type dig knows, or 'TYPE1000'. */
  type?: string;
  flags?: string[];
  /** Per attempt; one attempt only. Default 3000. */
  timeoutMs?: number;
}

export class DigError extends Error {
  override readonly name = 'DigError';
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly raw: string,
  ) {
    super(message);
  }
}

const RECORD = /^(\S+)\s+(\d+)\s+([A-Z]+\d*)\s+([A-Z0-9-]+)\s*(.*)$/;

function parseRecord(line: string): DigRecord | null {
  const m = RECORD.exec(line.trim());
  if (!m) return null;
  return { name: m[1]!, ttl: Number(m[2]), class: m[3]!, type: m[4]!, data: m[5]!.trim() };
}

/** Records of each "ANSWER/AUTHORITY/ADDITIONAL SECTION:" block, up to the next blank line. */
function sections(text: string): Pick<DigResult, 'answer' | 'authority' | 'additional'> {
  const out: Pick<DigResult, 'answer' | 'authority' | 'additional'> = {
    answer: [],
    authority: [],
    additional: [],
  };
  let current: DigRecord[] | null = null;
  for (const line of text.split('\n')) {
    const head = /^;; (ANSWER|AUTHORITY|ADDITIONAL) SECTION:/.exec(line);
    if (head) {
      current = out[head[1]!.toLowerCase() as 'answer' | 'authority' | 'additional'];
      continue;
    }
    if (line.trim() === '' || line.startsWith(';')) {
      if (line.trim() === '') current = null;
      continue;
    }
    const rec = current ? parseRecord(line) : null;
    if (rec) current!.push(rec);
  }
  return out;
}

function lastReply(raw: string, marker: RegExp): string | null {
  const starts = [...raw.matchAll(marker)].map((m) => m.index);
  return starts.length === 0 ? null : raw.slice(starts[starts.length - 1]);
}

function splitFlags(text: string | undefined): string[] {
  return (text ?? '').trim().split(/\s+/).filter(Boolean);
}

/** BIND dig's output format. */
export function parseDigOutput(raw: string): DigResult | null {
  const text = lastReply(raw, /;; ->>HEADER<<-/g);
  if (!text) return null;
  const header = /opcode: (\S+), status: (\S+), id: \d+/.exec(text);
  if (!header) return null;
  const flags = splitFlags(/^;; flags:([^;]*);/m.exec(text)?.[1]);
  let opt: DigOpt | null = null;
  const edns = /^; EDNS: version: (\d+), flags:([^;]*);(.*)$/m.exec(text);
  if (edns) {
    const rest = edns[3]!;
    const extra = [...rest.matchAll(/(MBZ: 0x[0-9a-f]+)/gi)].map((m) => m[1]!);
    opt = {
      version: Number(edns[1]),
      udp: Number(/udp: (\d+)/.exec(rest)?.[1] ?? 0),
      flags: [...splitFlags(edns[2]), ...extra],
      options: [],
    };
    const after = text
      .slice(text.indexOf(edns[0]) + edns[0].length)
      .split('\n')
      .slice(1);
    for (const line of after) {
      const m = /^; ([A-Z][A-Z0-9=-]*):/.exec(line);
      if (!m) break;
      opt.options.push(m[1]!);
    }
  }
  return { status: header[2]!, opcode: header[1]!, flags, ...sections(text), opt, raw };
}

/** Knot kdig's output format. */
export function parseKdigOutput(raw: string): DigResult | null {
  const text = lastReply(raw, /;; ->>HEADER<<-/g);
  if (!text) return null;
  const header = /opcode: (\S+); status: (\S+); id: \d+/.exec(text);
  if (!header) return null;
  const flags = splitFlags(/^;; Flags:([^;]*);/m.exec(text)?.[1]);
  let opt: DigOpt | null = null;
  const edns = /^;; Version: (\d+); flags:([^;]*); UDP size: (\d+) B(.*)$/m.exec(text);
  if (edns) {
    opt = { version: Number(edns[1]), udp: Number(edns[3]), flags: splitFlags(edns[2]), options: [] };
    const after = text
      .slice(text.indexOf(edns[0]) + edns[0].length)
      .split('\n')
      .slice(1);
    for (const line of after) {
      const m = /^;; ([A-Z][A-Za-z0-9=-]*):/.exec(line);
      if (!m || / SECTION:/.test(line)) break;
      opt.options.push(m[1]!);
    }
  }
  const status = /ext-rcode: (\S+)/.exec(edns?.[4] ?? '')?.[1];
  const merged = status && status !== 'NOERROR' && header[2] === 'NOERROR' ? status : header[2]!;
  return { status: merged, opcode: header[1]!, flags, ...sections(text), opt, raw };
}

function run(
  bin: string,
  args: string[],
  timeoutMs: number,
  parse: (raw: string) => DigResult | null,
): Promise<DigResult> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { timeout: timeoutMs + 2000, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      const raw = `${stdout}${stderr ? `\n${stderr}` : ''}`;
      const parsed = parse(stdout);
      if (parsed) {
        resolve(parsed);
        return;
      }
      const code = err && typeof err.code === 'number' ? err.code : err ? null : 0;
      reject(
        new DigError(`${bin} ${args.join(' ')}: no reply parsed (exit ${String(code)})\n${raw}`, code, raw),
      );
    });
  });
}

function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/** Queries with BIND dig (one try, `timeoutMs` rounded up to whole seconds). */
export function dig(opts: DigOptions): Promise<DigResult> {
  const timeoutMs = opts.timeoutMs ?? 3000;
  const args = ['-r', `@${opts.server}`, '-p', String(opts.port), opts.name, opts.type ?? 'A'];
  args.push(`+time=${seconds(timeoutMs)}`, '+tries=1', ...(opts.flags ?? []));
  return run('dig', args, timeoutMs, parseDigOutput);
}

/** Queries with Knot kdig; same result shape. Flags are kdig's (e.g. '+tcp', '+edns=0', '+nsid'). */
export function kdig(opts: DigOptions): Promise<DigResult> {
  const timeoutMs = opts.timeoutMs ?? 3000;
  const args = [`@${opts.server}`, '-p', String(opts.port), opts.name, opts.type ?? 'A'];
  args.push(`+time=${seconds(timeoutMs)}`, '+retry=0', ...(opts.flags ?? []));
  return run('kdig', args, timeoutMs, parseKdigOutput);
}
