import { describe, expect, it } from 'vitest';
import { SYSTEM_CONFIG, resolveConfigPath } from './discover.js';

const none = () => false;
const only =
  (...paths: string[]) =>
  (p: string) =>
    paths.includes(p);

describe('resolveConfigPath', () => {
  it('takes -c first, even over the environment and existing files', () => {
    expect(resolveConfigPath({ explicit: 'a.yaml', env: '/e.yaml', cwd: '/w', exists: () => true })).toEqual({
      ok: true,
      path: 'a.yaml',
      from: 'flag',
    });
  });

  it('then $UNDERSTUDY_CONFIG, taken as given even when it does not exist', () => {
    expect(resolveConfigPath({ env: '/e.yaml', cwd: '/w', exists: none })).toEqual({
      ok: true,
      path: '/e.yaml',
      from: 'env',
    });
  });

  it('then ./understudy.yaml, then /etc/understudy/understudy.yaml; empty values count as unset', () => {
    const both = only('/w/understudy.yaml', SYSTEM_CONFIG);
    expect(resolveConfigPath({ explicit: '', env: '', cwd: '/w', exists: both })).toEqual({
      ok: true,
      path: '/w/understudy.yaml',
      from: 'cwd',
    });
    expect(resolveConfigPath({ cwd: '/w', exists: only(SYSTEM_CONFIG) })).toEqual({
      ok: true,
      path: SYSTEM_CONFIG,
      from: 'system',
    });
  });

  it('lists everything it tried when nothing is found', () => {
    const r = resolveConfigPath({ cwd: '/w', exists: none });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.tried).toEqual([
      '-c/--config (not given)',
      '$UNDERSTUDY_CONFIG (not set)',
      '/w/understudy.yaml',
      '/etc/understudy/understudy.yaml',
    ]);
    expect(r.message).toBe(
      'no config file found; tried: -c/--config (not given), $UNDERSTUDY_CONFIG (not set), /w/understudy.yaml, /etc/understudy/understudy.yaml. Give one with -c FILE or $UNDERSTUDY_CONFIG',
    );
  });
});
