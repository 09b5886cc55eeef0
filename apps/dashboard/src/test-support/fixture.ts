/** A running dashboard over an EngineWorld, on 127.0.0.1 port 0, with HTTP helpers. */
import { recordingLogger } from '@understudy/testkit/logger';
import type { UnderstudyConfig } from '@understudy/core';
import { config as coreConfig } from '../../../../libs/core/src/test-support/fixtures.js';
import { createDashboardServer, type DashboardServer } from '../server.js';
import { StoreSource } from '../store-source.js';
import { EngineWorld } from './engine-world.js';

export const TOKEN = 'secret-token-for-alice';

export function testConfig(over: Partial<UnderstudyConfig> = {}): UnderstudyConfig {
  return {
    ...coreConfig(),
    admin: { tokens: [{ name: 'alice', token: TOKEN }] },
    ...over,
  };
}

export interface Fixture {
  world: EngineWorld;
  source: StoreSource;
  server: DashboardServer;
  logs: ReturnType<typeof recordingLogger>;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

export const auth = (token = TOKEN): Record<string, string> => ({ authorization: `Bearer ${token}` });

export async function startFixture(
  config: UnderstudyConfig = testConfig(),
  opts: { webRoot?: string | null; streamGapMs?: number } = {},
): Promise<Fixture> {
  const world = await EngineWorld.create(config);
  // Both checks up in every region: a realistic steady state.
  await world.rounds(3, { primary: '+++', secondary: '+++' });
  const logs = recordingLogger();
  const source = new StoreSource({
    store: world.store,
    config,
    clock: { now: () => world.now },
    pollMs: 20,
    lease: () => Promise.resolve({ holder: 'test-host/1', epoch: 1 }),
  });
  const server = await createDashboardServer({
    listen: { host: '127.0.0.1', port: 0 },
    config,
    configHash: 'cafe'.repeat(16),
    source,
    actions: world.actions(),
    logger: logs,
    webRoot: opts.webRoot ?? null,
    version: '0.1.0-test',
    clock: { now: () => world.now },
    ...(opts.streamGapMs !== undefined ? { streamGapMs: opts.streamGapMs } : {}),
  });
  return {
    world,
    source,
    server,
    logs,
    get: (path, headers = {}) => fetch(`${server.url}${path}`, { headers }),
    post: (path, body, headers = {}) =>
      fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    async close() {
      await server.close();
      await source.close();
      await world.close();
    },
  };
}
