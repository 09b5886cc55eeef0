/** The `understudy` command line as an operator meets it: help, validation, exit codes. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { understudyOnce } from '../support/understudy.js';

const example = fileURLToPath(new URL('../../examples/understudy.example.yaml', import.meta.url));
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'understudy-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('understudy CLI', () => {
  it.each([
    [[]],
    [['run']],
    [['validate']],
    [['status']],
    [['plan']],
    [['sync']],
    [['dns']],
    [['probe']],
    [['decider']],
    [['dashboard']],
    [['drill']],
    [['demo']],
    [['demo', 'start']],
    [['demo', 'fail']],
    [['demo', 'restore']],
    [['override']],
    [['approve-failback']],
    [['release-guard']],
  ])('%j --help describes the command', async (args) => {
    const { code, output } = await understudyOnce([...args, '--help']);
    expect(code).toBe(0);
    expect(output).toMatch(/^Usage: understudy/m);
    expect(output).toContain('--help');
  });

  it('--version prints the version', async () => {
    const { code, output } = await understudyOnce(['--version']);
    expect(code).toBe(0);
    expect(output.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('validate accepts the shipped example config', async () => {
    const { code, output } = await understudyOnce(['validate', example]);
    expect(output).toContain(': OK (');
    expect(code).toBe(0);
  });

  it('validate reports every problem with its path and line, and exits non-zero', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(
      bad,
      [
        'regions: [us-east, eu-west]',
        'quorum: "4/3"',
        'checks:',
        '  web:',
        '    type: https',
        '    url: https://127.0.0.1/',
        '    intervall: 10s',
        '    regions: [mars]',
        'zones:',
        '  - apex: example.test',
        '    ns: [ns1.example.test]',
        '    failover:',
        '      - name: app',
        '        type: A',
        '        answers:',
        '          - { values: [999.1.1.1], check: nope }',
        '',
      ].join('\n'),
    );
    const { code, output } = await understudyOnce(['validate', bad]);
    expect(code).toBe(1);
    for (const needle of ['quorum', 'intervall', 'regions', 'check', '999.1.1.1'])
      expect(output).toContain(needle);
    expect(output).toMatch(/bad\.yaml:7/);
    expect(output).toMatch(/bad\.yaml:16/);
  });

  it('validate names an unreadable file', async () => {
    const { code, output } = await understudyOnce(['validate', join(dir, 'missing.yaml')]);
    expect(code).toBe(1);
    expect(output).toContain('missing.yaml');
  });

  it('status without a running instance or state file says so', async () => {
    const cfg = join(dir, 'no-state.yaml');
    await writeFile(
      cfg,
      [
        'regions: [r1]',
        'listen: { http: "127.0.0.1:1" }',
        'zones:',
        '  - apex: example.test',
        '    ns: [ns1.example.test]',
        '',
      ].join('\n'),
    );
    const { code, output } = await understudyOnce(['status', '--config', cfg]);
    expect(code).toBe(1);
    expect(output).toContain('no running instance');
  });

  it('an unknown command is a usage error', async () => {
    const { code, output } = await understudyOnce(['frobnicate']);
    expect(code).not.toBe(0);
    expect(output).toContain("unknown command 'frobnicate'");
  });
});
