import { describe, expect, it } from 'vitest';
import { cliCommand } from './invocation.js';

const INSTALLED = 'file:///usr/local/lib/node_modules/understudy/dist/chunk-ABC.mjs';
const CHECKOUT = 'file:///home/me/understudy/dist/chunk-ABC.mjs';

describe('cliCommand (the command the demo banner prints)', () => {
  it('is `understudy` for an installed package run from its bin on the PATH', () => {
    expect(cliCommand({ env: {}, moduleUrl: INSTALLED })).toBe('understudy');
  });

  it('is `npx understudy` from a source checkout, as npm start and npx understudy demo run it', () => {
    expect(cliCommand({ env: {}, moduleUrl: CHECKOUT })).toBe('npx understudy');
    expect(cliCommand({ env: { npm_lifecycle_event: 'start' }, moduleUrl: CHECKOUT })).toBe('npx understudy');
    expect(cliCommand({ env: { npm_command: 'exec' }, moduleUrl: CHECKOUT })).toBe('npx understudy');
  });

  it('is `npx understudy` for a package installed in a project and started by npx or a script', () => {
    const local = 'file:///srv/app/node_modules/understudy/dist/understudy.mjs';
    expect(cliCommand({ env: { npm_command: 'exec' }, moduleUrl: local })).toBe('npx understudy');
    expect(cliCommand({ env: { npm_lifecycle_event: 'dns' }, moduleUrl: local })).toBe('npx understudy');
  });
});
