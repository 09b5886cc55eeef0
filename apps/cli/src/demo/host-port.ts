import { CliExit, EXIT_USAGE } from '../commands/shared.js';

/** "127.0.0.1:5300" or "[::1]:5300" → { host, port }. */
export function parseHostPort(text: string, flag: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535)
    throw new CliExit(`${flag}: expected host:port (IPv6 in brackets), got "${text}"`, EXIT_USAGE);
  return { host: (m[1] ?? m[2])!, port };
}
