/**
 * Docker cannot run here, so the deployment files are checked statically: they parse, the commands
 * they run exist in the CLI, and the config they mount validates.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfig } from '@understudy/config';
import { understudyOnce } from '../support/understudy.js';

const root = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));

async function cliCommands(): Promise<string[]> {
  const { output } = await understudyOnce(['--help']);
  const section = output.slice(output.indexOf('Commands:'));
  return [...section.matchAll(/^ {2}([a-z-]+)/gm)].map((m) => m[1]!);
}

describe('deployment files', () => {
  it('docker-compose.yml runs a CLI command with the config it mounts, and that config validates', async () => {
    const compose = parse(readFileSync(root('docker-compose.yml'), 'utf8')) as {
      services: Record<string, { command: string[]; volumes: string[]; build: { dockerfile: string } }>;
    };
    const svc = compose.services.understudy!;
    expect(await cliCommands()).toContain(svc.command[0]);
    const configArg = svc.command[svc.command.indexOf('--config') + 1];
    const mount = svc.volumes.find((v) => v.split(':')[1] === configArg);
    expect(mount, `a volume provides ${configArg}`).toBeDefined();
    const hostFile = root(mount!.split(':')[0]!.replace(/^\.\//, ''));
    const { config } = parseConfig(readFileSync(hostFile, 'utf8'), { source: hostFile, env: {} });
    expect(config.listen.dns[0]).toEqual({ host: '0.0.0.0', port: 5300 });
    expect(readFileSync(root(svc.build.dockerfile), 'utf8')).toContain('dist/understudy.mjs');
  });

  it('the Dockerfile and the systemd unit start a command the CLI has', async () => {
    const commands = await cliCommands();
    const dockerfile = readFileSync(root('infra/Dockerfile'), 'utf8');
    const cmd = /^CMD \[(.*)\]$/m
      .exec(dockerfile)![1]!
      .split(',')
      .map((s) => JSON.parse(s.trim()) as string);
    expect(commands).toContain(cmd[0]);
    const unit = readFileSync(root('infra/understudy.service'), 'utf8');
    const exec = /^ExecStart=\S+ \S+ (\S+)/m.exec(unit)![1]!;
    expect(commands).toContain(exec);
  });
});
