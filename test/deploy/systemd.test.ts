/**
 * infra/understudy.service and infra/systemd/* (issue 12): `systemd-analyze verify` (Debian's systemd
 * package) accepts every unit without a warning; port 53 comes from CAP_NET_BIND_SERVICE, not root;
 * what a unit writes goes to its StateDirectory=, where the example config's relative state.file lands
 * (STATE_DIRECTORY), not next to the config under /etc, which ProtectSystem=strict makes read-only.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '@understudy/config';
import { toolOrCi } from './support/tools.js';

const root = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));
const UNITS = [
  'infra/understudy.service',
  ...readdirSync(root('infra/systemd')).map((f) => `infra/systemd/${f}`),
];
const text = (u: string) => readFileSync(root(u), 'utf8');
const keys = (u: string, key: string) =>
  [...text(u).matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1]!.trim());
/** Units that serve DNS (and so may bind port 53). */
const SERVES_DNS = ['infra/understudy.service', 'infra/systemd/understudy-dns.service'];

describe('systemd units', () => {
  const dir = mkdtempSync(join(tmpdir(), 'understudy-units-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.runIf(toolOrCi('systemd-analyze'))(
    'pass systemd-analyze verify without a warning (apt-get install systemd)',
    () => {
      const names = UNITS.map((u) => {
        // A template is verified as an instance, the way it is started.
        const name = u.split('/').at(-1)!.replace('@.service', '@eu-west.service');
        copyFileSync(root(u), join(dir, name));
        return `./${name}`;
      });
      const r = spawnSync('systemd-analyze', ['verify', '--man=no', ...names], {
        cwd: dir,
        encoding: 'utf8',
      });
      expect(r.error).toBeUndefined();
      expect(`${r.stdout}${r.stderr}`).toBe('');
      expect(r.status).toBe(0);
      // verify does flag a mistyped key, so the empty output above means something.
      const bad = join(dir, 'bad.service');
      writeFileSync(bad, text(UNITS[0]!).replace(/^ProtectSystem=strict$/m, 'ProtectSytem=strict'));
      const r2 = spawnSync('systemd-analyze', ['verify', '--man=no', './bad.service'], {
        cwd: dir,
        encoding: 'utf8',
      });
      expect(`${r2.stdout}${r2.stderr}`).toMatch(/Unknown key 'ProtectSytem'/);
    },
  );

  it('run unprivileged: a User=, no new privileges, a read-only system, capabilities only for DNS', () => {
    for (const u of UNITS) {
      expect(keys(u, 'User'), u).toEqual(['understudy']);
      expect(keys(u, 'NoNewPrivileges'), u).toEqual(['true']);
      expect(keys(u, 'ProtectSystem'), u).toEqual(['strict']);
      const dns = SERVES_DNS.includes(u);
      expect(keys(u, 'AmbientCapabilities'), u).toEqual(dns ? ['CAP_NET_BIND_SERVICE'] : []);
      expect(keys(u, 'CapabilityBoundingSet'), u).toEqual([dns ? 'CAP_NET_BIND_SERVICE' : '']);
      expect(keys(u, 'ReadWritePaths'), u).toEqual([]);
    }
  });

  it("the example config's relative state.file and the DNS cache land in the StateDirectory, not in /etc", () => {
    const example = readFileSync(root('examples/understudy.example.yaml'), 'utf8');
    expect(example).toMatch(/^ {2}file: \.\/understudy-state\.json$/m);
    for (const u of SERVES_DNS) {
      const [stateDir] = keys(u, 'StateDirectory');
      expect(stateDir, `${u}: StateDirectory=`).toBe('understudy');
      const exec = keys(u, 'ExecStart')[0]!.split(/\s+/);
      const configFile = exec[exec.indexOf('--config') + 1]!;
      // What systemd sets for StateDirectory=understudy, and where the config is read from.
      const { config } = parseConfig(example, {
        env: { STATE_DIRECTORY: `/var/lib/${stateDir}` },
        baseDir: dirname(configFile),
      });
      expect(config.state.file, u).toBe('/var/lib/understudy/understudy-state.json');
      expect(config.dns.cacheFile, u).toBe('/var/lib/understudy/understudy-dns-cache.json');
      expect(dirname(configFile)).toBe('/etc/understudy');
    }
  });
});
