/**
 * A real authoritative server (Debian's NSD) serving a small static zone on a loopback port: the upstream
 * a DNS check watches in system tests. Stopping it makes the check fail the way a dead server does.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnChild, type Child } from '@understudy/testkit/process';
import { hasTool } from '../deploy/support/tools.js';

export interface UpstreamSpec {
  dir: string;
  port: number;
  zone: string;
  /** Zone-file lines after SOA and NS, e.g. "www IN A 192.0.2.53". */
  records: string[];
}

export function startNsdAuthoritative(s: UpstreamSpec): Child {
  const bin = !hasTool('nsd') && existsSync('/usr/sbin/nsd') ? '/usr/sbin/nsd' : 'nsd';
  return spawnChild(bin, ['-d', '-c', join(s.dir, 'nsd.conf')]);
}

export async function writeNsdAuthoritative(s: UpstreamSpec): Promise<void> {
  await mkdir(s.dir, { recursive: true });
  const origin = s.zone.endsWith('.') ? s.zone : `${s.zone}.`;
  await writeFile(
    join(s.dir, 'upstream.zone'),
    [
      `$ORIGIN ${origin}`,
      '$TTL 60',
      `@ IN SOA ns1.${origin} hostmaster.${origin} 1 3600 600 86400 60`,
      `@ IN NS ns1.${origin}`,
      'ns1 IN A 127.0.0.1',
      ...s.records,
      '',
    ].join('\n'),
  );
  await writeFile(
    join(s.dir, 'nsd.conf'),
    `server:
  ip-address: 127.0.0.1@${s.port}
  port: ${s.port}
  username: ""
  chroot: ""
  zonesdir: "${s.dir}"
  pidfile: "${s.dir}/nsd.pid"
  xfrdfile: "${s.dir}/xfrd.state"
  zonelistfile: "${s.dir}/zone.list"
  database: ""
  rrl-ratelimit: 0
  verbosity: 1
remote-control:
  control-enable: no
zone:
  name: "${origin}"
  zonefile: "upstream.zone"
`,
  );
}
