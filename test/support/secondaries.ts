/**
 * Real secondaries for transfer tests and the transfer benchmark: Debian's NSD and Knot, started on
 * loopback ports with their own config, zone and state files in a scratch directory, pulling a zone from
 * an Understudy primary with TSIG and accepting its NOTIFYs.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnChild, type Child } from '@understudy/testkit/process';
import { hasTool } from '../deploy/support/tools.js';

/** Debian installs nsd and knotd in /usr/sbin, which a non-root user's PATH usually lacks. */
function daemon(name: string): string {
  return !hasTool(name) && existsSync(`/usr/sbin/${name}`) ? `/usr/sbin/${name}` : name;
}

export interface SecondarySpec {
  dir: string;
  port: number;
  zone: string;
  primaryPort: number;
  keyName: string;
  /** Base64; the secondary signs its transfers and checks NOTIFYs with it. */
  secret: string;
}

export interface Secondary {
  name: 'nsd' | 'knot';
  port: number;
  child: Child;
  /** The exact command line, for the closing note. */
  command: string;
}

export async function startNsd(s: SecondarySpec): Promise<Secondary> {
  const d = join(s.dir, 'nsd');
  await mkdir(d, { recursive: true });
  const conf = join(d, 'nsd.conf');
  await writeFile(
    conf,
    `server:
  ip-address: 127.0.0.1@${s.port}
  port: ${s.port}
  username: ""
  chroot: ""
  zonesdir: "${d}"
  pidfile: "${d}/nsd.pid"
  xfrdfile: "${d}/xfrd.state"
  zonelistfile: "${d}/zone.list"
  database: ""
  rrl-ratelimit: 0
  verbosity: 2
  xfrd-reload-timeout: 0
remote-control:
  control-enable: no
key:
  name: "${s.keyName}"
  algorithm: hmac-sha256
  secret: "${s.secret}"
zone:
  name: "${s.zone}"
  zonefile: "${s.zone}zone"
  allow-notify: 127.0.0.1 ${s.keyName}
  request-xfr: 127.0.0.1@${s.primaryPort} ${s.keyName}
`,
  );
  const args = ['-d', '-c', conf];
  return {
    name: 'nsd',
    port: s.port,
    child: spawnChild(daemon('nsd'), args),
    command: `nsd ${args.join(' ')}`,
  };
}

export async function startKnot(s: SecondarySpec): Promise<Secondary> {
  const d = join(s.dir, 'knot');
  await mkdir(d, { recursive: true });
  const conf = join(d, 'knot.conf');
  await writeFile(
    conf,
    `server:
  listen: 127.0.0.1@${s.port}
  rundir: "${d}"
log:
  - target: stderr
    any: info
database:
  storage: "${d}"
key:
  - id: ${s.keyName}
    algorithm: hmac-sha256
    secret: ${s.secret}
remote:
  - id: primary
    address: 127.0.0.1@${s.primaryPort}
    key: ${s.keyName}
acl:
  - id: notify-from-primary
    address: 127.0.0.1
    key: ${s.keyName}
    action: notify
zone:
  - domain: ${s.zone}
    storage: "${d}"
    file: "${s.zone}zone"
    master: primary
    acl: notify-from-primary
    zonefile-sync: -1
`,
  );
  const args = ['-c', conf];
  return {
    name: 'knot',
    port: s.port,
    child: spawnChild(daemon('knotd'), args),
    command: `knotd ${args.join(' ')}`,
  };
}
