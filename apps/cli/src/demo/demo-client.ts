/** `understudy demo fail|restore <origin>`: asks the running demo to change an origin. */
import { CliExit } from '../commands/shared.js';
import { parseHostPort } from './host-port.js';

export async function demoOriginCommand(
  action: 'fail' | 'restore',
  origin: string,
  opts: { control: string; mode?: string; token?: string },
  out: NodeJS.WritableStream,
): Promise<void> {
  const token = opts.token ?? process.env['UNDERSTUDY_DEMO_TOKEN'];
  if (!token)
    throw new CliExit(
      `demo ${action}: give the operator token the demo printed (--token <token>, or set UNDERSTUDY_DEMO_TOKEN)`,
    );
  const { host, port } = parseHostPort(opts.control, '--control');
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const query = action === 'fail' && opts.mode ? `?mode=${encodeURIComponent(opts.mode)}` : '';
  let res: Response;
  try {
    res = await fetch(`${base}/origins/${encodeURIComponent(origin)}/${action}${query}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(5000),
    });
  } catch {
    throw new CliExit(`no demo is running at ${base} (start one with \`npm start\` or \`understudy demo\`)`);
  }
  const body = (await res.json().catch(() => ({}))) as { error?: string; mode?: string };
  if (!res.ok) throw new CliExit(`demo ${action} ${origin}: ${body.error ?? `HTTP ${res.status}`}`);
  out.write(`origin ${origin} is now ${body.mode ?? action}\n`);
}
