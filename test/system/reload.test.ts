/**
 * Reload triggers (issue 13 §2) on a real `understudy run`: SIGHUP (Node's default would kill the process,
 * exit 129), `understudy reload` and an audited POST /api/v1/reload. A bad file is refused with every
 * problem, in the event and on /api/v1/events, and the process keeps answering with the running config.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@understudy/testkit/wait';
import {
  ADMIN_TOKEN,
  broken,
  serverEnv,
  startReloadFixture,
  type ReloadFixture,
} from '../support/reload-fixture.js';
import { understudyOnce } from '../support/understudy.js';

let f: ReloadFixture;
let exitCode: number | string | null = null;

beforeAll(async () => {
  f = await startReloadFixture();
  void f.app.exited.then((code) => (exitCode = code));
}, 60_000);

afterAll(async () => {
  await f?.stop();
});

const reloadCli = (extra: string[] = []) =>
  understudyOnce(['reload', '-c', f.configFile, '--reason', 'system test', ...extra], { env: serverEnv });

describe('reload triggers', () => {
  it('SIGHUP reloads the config and leaves the process running and answering', async () => {
    const before = (await f.events('config-reloaded')).length;
    expect(f.app.proc.kill('SIGHUP')).toBe(true);
    await waitFor(async () => (await f.events('config-reloaded')).length > before, {
      timeoutMs: 15_000,
      what: 'a config-reloaded event after SIGHUP',
    }).catch((err: unknown) => {
      throw new Error(`${String(err)} (exit: ${String(exitCode)})\n${f.app.output().slice(-3000)}`);
    });
    expect(exitCode).toBeNull();
    const [event] = await f.events('config-reloaded');
    expect(event?.actor?.name).toBe('SIGHUP');
    expect((await f.answer('app.example.test')).values.length).toBe(1);
  });

  it('refuses a broken file with every problem, keeps the running config, and says so in the event', async () => {
    await f.write(broken(f.base));
    const r = await reloadCli();
    expect(r.code).toBe(1);
    expect(r.output).toContain('reload refused');
    expect(r.output).toContain('quorum');
    expect(r.output).toContain('nosuch');
    const [event] = await f.events('config-reload-failed');
    expect(event?.actor?.name).toBe('oncall');
    const problems = event?.evidence.problems as string[];
    expect(problems.some((p) => p.includes('quorum'))).toBe(true);
    expect(problems.some((p) => p.includes('nosuch'))).toBe(true);
    expect(f.app.output()).toContain('config reload refused');
    expect((await f.answer('app.example.test')).values.length).toBe(1);
    expect(exitCode).toBeNull();
  });

  it('SIGHUP with a broken file is refused the same way, and the process keeps running', async () => {
    const before = (await f.events('config-reload-failed')).length;
    f.app.proc.kill('SIGHUP');
    await waitFor(async () => (await f.events('config-reload-failed')).length > before, {
      timeoutMs: 15_000,
      what: 'a config-reload-failed event after SIGHUP',
    });
    const [event] = await f.events('config-reload-failed');
    expect(event?.actor?.name).toBe('SIGHUP');
    expect(exitCode).toBeNull();
    expect((await f.answer('app.example.test')).values.length).toBe(1);
  });

  it('POST /api/v1/reload needs the admin token and a reason, and is audited with the token name', async () => {
    await f.write(f.base);
    const url = `${f.dashboard}/api/v1/reload`;
    const body = JSON.stringify({ reason: 'roll out the fixed file' });
    const headers = { 'content-type': 'application/json' };
    const anon = await fetch(url, { method: 'POST', headers, body });
    expect(anon.status).toBe(401);
    const auth = { ...headers, authorization: `Bearer ${ADMIN_TOKEN}` };
    const noReason = await fetch(url, { method: 'POST', headers: auth, body: '{}' });
    expect(noReason.status).toBe(400);
    const res = await fetch(url, { method: 'POST', headers: auth, body });
    expect(res.status).toBe(200);
    const outcome = (await res.json()) as { ok: boolean; from: string; to: string; problems: string[] };
    expect(outcome).toMatchObject({ ok: true, problems: [] });
    expect(outcome.to).toBe(outcome.from);
    const [event] = await f.events('config-reloaded');
    expect(event?.actor?.name).toBe('oncall');
    expect(event?.message).toContain('roll out the fixed file');
  });

  it('understudy reload applies a good file and reports it', async () => {
    const r = await reloadCli();
    expect(r.code).toBe(0);
    expect(r.output).toMatch(/config (unchanged|reloaded)/);
    expect(exitCode).toBeNull();
  });
});
