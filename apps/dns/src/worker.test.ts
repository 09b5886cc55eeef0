import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '@understudy/config';
import { fixtureConfig } from './test-support/fixture.js';
import { zoneBaseFromConfig } from '@understudy/dns-server';
import { loadBaseFile } from './worker-base-file.js';
import { loadWorkerBase, workerConfigOf, writeWorkerBase } from './worker.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'understudy-dns-worker-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const text = (port: number) => fixtureConfig(port).origin as { text: string };

describe('loadWorkerBase', () => {
  it('builds the static base from the config file the primary loaded', async () => {
    const file = join(dir, 'understudy.yaml');
    await writeFile(file, text(5300).text);
    const source = workerConfigOf(await loadConfig(file));
    expect(source).toMatchObject({ kind: 'file', file });
    const base = await loadWorkerBase(source);
    expect(base.slots.map((s) => s.id)).toEqual(['app.example.test./A']);
    expect(base.zones.map((z) => z.apex)).toEqual(['example.test.']);
  });

  it('builds it from the text of a config that has no file (the demo)', async () => {
    const loaded = fixtureConfig(5300);
    const base = await loadWorkerBase(workerConfigOf(loaded));
    expect(base.slots).toHaveLength(1);
  });

  it('refuses a config file that changed since the primary loaded it, and a source it cannot read', async () => {
    const file = join(dir, 'understudy.yaml');
    await writeFile(file, text(5300).text);
    const source = workerConfigOf(await loadConfig(file));
    // An answer changed: a worker must not serve another config than the primary decides for.
    await writeFile(file, text(5300).text.replace('198.51.100.10', '198.51.100.11'));
    await expect(loadWorkerBase(source)).rejects.toThrow(/changed since the primary loaded it/);
    await expect(loadWorkerBase({ nope: true })).rejects.toThrow(/no config source it can read/);
  });
});

describe('writeWorkerBase', () => {
  it('hands workers the base the primary built, as a private file they read without the config', async () => {
    const base = zoneBaseFromConfig(fixtureConfig(5300).config);
    const written = writeWorkerBase(base, dir);
    expect(written.source.kind).toBe('base');
    expect(await loadWorkerBase(written.source)).toEqual(base);
    // The lean worker entry reads base files only: a config source is refused, by name.
    expect(loadBaseFile(written.source)).toEqual(base);
    expect(() => loadBaseFile(workerConfigOf(fixtureConfig(5300)))).toThrow(/no zone base file/);
    written.remove();
    expect(existsSync(written.source.file)).toBe(false);
  });

  it('refuses a base file that is not the one the primary wrote', async () => {
    const written = writeWorkerBase(zoneBaseFromConfig(fixtureConfig(5300).config), dir);
    const text = await readFile(written.source.file, 'utf8');
    await writeFile(written.source.file, text.replace('192.0.2.10', '192.0.2.11'));
    await expect(loadWorkerBase(written.source)).rejects.toThrow(/not the one the primary wrote/);
    written.remove();
  });

  it('removes the base directories of processes that are gone, not those of live ones', async () => {
    // A pid that existed and is gone: a child that has exited.
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    const stale = join(dir, `understudy-dns-base-${gone}-abc123`);
    const live = join(dir, `understudy-dns-base-${process.ppid}-abc123`);
    await mkdir(stale);
    await mkdir(live);
    const written = writeWorkerBase(zoneBaseFromConfig(fixtureConfig(5300).config), dir);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(existsSync(written.source.file)).toBe(true);
    written.remove();
  });
});
