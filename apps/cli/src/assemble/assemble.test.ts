import { createSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '@understudy/config';
import { createLogger } from '@understudy/observability';
import { freePort } from '@understudy/testkit/ports';
import { waitFor } from '@understudy/testkit/wait';
import { assemble } from './assemble.js';
import { CloseStack } from './close-stack.js';
import { testConfigYaml } from './test-config.js';
import type { RoleName } from './types.js';

const logger = createLogger({ name: 'test', level: 'silent', pretty: false });
const ALL = new Set<RoleName>(['dns', 'decider', 'probe', 'dashboard']);

function config(dnsPort: number, dashboard: string | null) {
  return parseConfig(testConfigYaml({ dnsPort, http: '127.0.0.1:0', dashboard }));
}

/** True when nothing holds the UDP port any more. */
function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => resolve(false));
    s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

describe('assemble (embedded: every role over the in-process backend)', () => {
  it('starts every role, is ready, and closes them newest first with the ops endpoint last', async () => {
    const stack = new CloseStack(logger);
    const app = await assemble(
      { loaded: config(0, '127.0.0.1:0'), backend: 'memory', roles: ALL, logger, name: 'run' },
      stack,
    );
    try {
      expect(stack.pending).toEqual([
        'dashboard',
        'probes',
        'drills',
        'decider',
        'webhooks and providers',
        'bus',
        'dns',
        'store',
        'ops',
      ]);
      await waitFor(() => app.ready, { timeoutMs: 10_000, what: 'the process to be ready' });
      const res = await fetch(`http://127.0.0.1:${app.opsAddress!.port}/readyz`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { detail: Record<string, unknown> };
      expect(body.detail).toMatchObject({ decider: true, configHash: app.loaded.hash.slice(0, 12) });
      expect(app.dns?.ready).toBe(true);
      expect(app.dashboard?.server.url).toMatch(/^http:/);
    } finally {
      const closing = app.close();
      // Readiness drops at once, before anything has closed.
      expect(app.ready).toBe(false);
      await closing;
    }
    expect(stack.pending).toEqual([]);
    await expect(fetch(`http://127.0.0.1:${app.opsAddress!.port}/readyz`)).rejects.toThrow();
  });

  it('a role that fails to start closes what had started, and the error reaches the caller', async () => {
    const dnsPort = await freePort('127.0.0.1', 'both');
    // The dashboard's port is taken: the last role fails after DNS, the decider and the probes started.
    const taken: Server = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as { port: number }).port;
    const stack = new CloseStack(logger);
    try {
      await expect(
        assemble(
          {
            loaded: config(dnsPort, `127.0.0.1:${port}`),
            backend: 'memory',
            roles: ALL,
            logger,
            name: 'run',
          },
          stack,
        ),
      ).rejects.toMatchObject({ code: 'EADDRINUSE' });
      expect(stack.closing).toBe(true);
      expect(stack.pending).toEqual([]);
      expect(await udpFree(dnsPort)).toBe(true);
    } finally {
      await new Promise((r) => taken.close(r));
    }
  });

  it('a DNS server alone is ready while it serves, and has no decider', async () => {
    const app = await assemble({
      loaded: config(0, null),
      backend: 'memory',
      roles: new Set(['dns']),
      logger,
      name: 'dns',
    });
    try {
      await waitFor(() => app.ready, { timeoutMs: 10_000, what: 'the DNS server to be ready' });
      expect(app.decider).toBeNull();
      expect([...app.parts.keys()]).toEqual(['dns']);
    } finally {
      await app.close();
    }
    expect(app.ready).toBe(false);
  });
});
