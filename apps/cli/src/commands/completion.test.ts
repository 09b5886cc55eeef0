/** The completion scripts, sourced in real bash and zsh, offer what the command tree has. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../program.js';
import { completionScript } from './completion.js';

const run = promisify(execFile);
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'understudy-completion-'));
  await writeFile(join(dir, 'understudy.yaml'), 'regions: [r1]\n');
  await writeFile(join(dir, 'bash.sh'), completionScript('bash', buildProgram()));
  await writeFile(join(dir, 'zsh.sh'), completionScript('zsh', buildProgram()));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** What bash offers after `line` (the cursor at its end; a trailing space starts a new word). */
async function bash(line: string): Promise<string[]> {
  const words = line.split(' ');
  const script = `source ${join(dir, 'bash.sh')}
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}
_understudy; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const { stdout } = await run('bash', ['--norc', '-c', script], { cwd: dir });
  return stdout.split('\n').filter(Boolean).sort();
}

/**
 * The same in zsh, with compadd and _files standing in for the completion system's: like the real ones,
 * they offer only what matches the word being completed ($PREFIX).
 */
async function zsh(line: string): Promise<string[]> {
  const words = line.split(' ');
  const script = `compdef() { :; }
compadd() { [[ "$1" == -- ]] && shift; local w; for w in "$@"; do [[ "$w" == "$PREFIX"* ]] && print -r -- "$w"; done; return 0; }
_files() { print -rl -- "$PREFIX"*(N); }
source ${join(dir, 'zsh.sh')}
words=(${words.map((w) => `'${w}'`).join(' ')}); CURRENT=${words.length}; PREFIX='${words.at(-1)}'
_understudy`;
  const { stdout } = await run('zsh', ['-f', '-c', script], { cwd: dir });
  return stdout.split('\n').filter(Boolean).sort();
}

const hasZsh = await run('zsh', ['-fc', 'true']).then(
  () => true,
  () => false,
);

describe.each([['bash', bash], ...(hasZsh ? [['zsh', zsh] as const] : [])] as const)(
  'understudy completion %s',
  (_shell, complete) => {
    it('offers the commands, and completes a prefix', async () => {
      expect(await complete('understudy ')).toEqual(
        expect.arrayContaining(['run', 'status', 'plan', 'sync', 'validate', 'completion', 'demo']),
      );
      expect(await complete('understudy sta')).toEqual(['status']);
      expect(await complete('understudy demo ')).toEqual(['fail', 'restore', 'start']);
      expect(await complete('understudy completion ')).toEqual(['bash', 'zsh']);
    });

    it("offers a command's options, and the choices of an option's value", async () => {
      expect(await complete('understudy plan --o')).toEqual(['--out']);
      expect(await complete('understudy status --output ')).toEqual(['json', 'text']);
      // The value of -c is skipped over; the command is still `run`.
      expect(await complete('understudy run -c x.yaml --log-format ')).toEqual(['json', 'pretty']);
      expect(await complete('understudy demo fail --mode ')).toEqual(expect.arrayContaining(['down']));
    });

    it('completes file names for a file option', async () => {
      expect(await complete('understudy validate -c und')).toEqual(['understudy.yaml']);
    });
  },
);
