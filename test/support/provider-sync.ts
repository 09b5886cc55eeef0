/**
 * Provider sync system tests: both vendor emulators in this process, and YAML configs whose `targets:`
 * point at them. Values are read back through the emulators' state, as a test in another process would
 * through their admin APIs.
 */
import http from 'node:http';
import { startCloudflareEmulator, type CloudflareEmulator } from '../emulators/cloudflare/index.js';
import { startRoute53Emulator, type Route53Emulator } from '../emulators/route53/index.js';

export const ZONE = 'example.test';
export const R53_ZONE_ID = 'ZUNDERSTUDYTEST';
export const R53_KEY = 'AKIDUNDERSTUDYGOOD';
export const R53_OTHER_KEY = 'AKIDUNDERSTUDYOTHER';
export const R53_SECRET = 'r53-secret-wJalrXUtnFEMI-K7MDENG-never-logged';
/** The dashboard's operator token in runConfig. */
export const ADMIN_TOKEN = 'admin-token-5d4c3b2a19-provider-sync';
export const CF_TOKEN = 'cf-token-0f9e8d7c6b5a-never-logged';

/** The Route 53 hosted zone id the emulator gives a zone: R53_ZONE_ID for example.test. */
export const r53ZoneId = (zone: string): string =>
  zone === ZONE ? R53_ZONE_ID : `Z${zone.replace(/[^a-z0-9]/gi, '').toUpperCase()}`;

export interface Emulators {
  r53: Route53Emulator;
  cf: CloudflareEmulator;
  close(): Promise<void>;
}

/** Both emulators on 127.0.0.1:0, each holding `zones` (default: example.test) and accepting our credentials. */
export async function startEmulators(zones: string[] = [ZONE]): Promise<Emulators> {
  const r53 = await startRoute53Emulator({
    zones: zones.map((name) => ({ name, id: r53ZoneId(name) })),
    validAccessKeyIds: [R53_KEY, R53_OTHER_KEY],
    // GetChange answers INSYNC a little later, as Route 53 does (seconds there).
    faults: { insyncDelayMs: 300 },
  });
  const cf = await startCloudflareEmulator({ zones: zones.map((name) => ({ name })), tokens: [CF_TOKEN] });
  return { r53, cf, close: async () => void (await Promise.all([r53.close(), cf.close()])) };
}

/** The values of one RRset at Route 53 (sorted), or null when there is none. */
export function r53Values(
  emu: Route53Emulator,
  name: string,
  type = 'A',
  zoneId = R53_ZONE_ID,
): string[] | null {
  const want = name.endsWith('.') ? name : `${name}.`;
  const rec = emu.records(zoneId).find((r) => r.name === want && r.type === type);
  return rec ? [...rec.values].sort() : null;
}

/** The values of one RRset at Cloudflare (sorted), or null when there is none. */
export function cfValues(emu: CloudflareEmulator, name: string, type = 'A', zone = ZONE): string[] | null {
  const want = name.replace(/\.$/, '');
  const recs = emu.records(zone).filter((r) => r.name === want && r.type === type);
  return recs.length ? recs.map((r) => r.content).sort() : null;
}

/** Accepted writes so far: Route 53 change batches and changes, Cloudflare batch calls and changes. */
export function writes(e: Emulators): {
  r53Batches: number;
  r53Changes: number;
  cfBatches: number;
  cfChanges: number;
} {
  const r = e.r53.stats();
  const c = e.cf.stats();
  return {
    r53Batches: r.changeBatches,
    r53Changes: r.changes,
    cfBatches: c.batchCalls,
    cfChanges: c.changes,
  };
}

/** Answers 200 with an HTML page to everything: an endpoint that is not the API (a captive proxy, a typo). */
export async function notAnApi(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Welcome to nginx!</body></html>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export interface TargetsInput {
  r53Url: string;
  cfUrl: string;
  /** Zones of the good targets (default example.test). */
  zones?: string[];
  /** Extra YAML list items under targets:, indented by two spaces. */
  extra?: string;
}

/** The `targets:` block: route53 "r53" and cloudflare "cf" over the emulators. */
export function targetsYaml(t: TargetsInput): string {
  const zones = t.zones ?? [ZONE];
  const r53Zones = zones.map((z) => `{ apex: ${z}, id: ${r53ZoneId(z)} }`);
  return `targets:
  - name: r53
    type: route53
    endpoint: ${t.r53Url}
    accessKeyId: ${R53_KEY}
    secretAccessKey: "\${UNDERSTUDY_TEST_R53_SECRET}"
    pollInterval: 100ms
    zones: [${r53Zones.join(', ')}]
  - name: cf
    type: cloudflare
    endpoint: ${t.cfUrl}
    apiToken: "\${UNDERSTUDY_TEST_CF_TOKEN}"
    zones: [${zones.map((z) => `{ apex: ${z} }`).join(', ')}]
${t.extra ?? ''}`;
}

/** The environment the configs interpolate their credentials from. */
export const credentialsEnv = {
  UNDERSTUDY_TEST_R53_SECRET: R53_SECRET,
  UNDERSTUDY_TEST_CF_TOKEN: CF_TOKEN,
};

export interface RunConfigInput extends TargetsInput {
  dnsPort: number;
  httpPort: number;
  dashboardPort: number;
  stateFile: string;
  caFile: string;
  /** Origin base URLs for the checks app-primary, app-secondary, api-primary, api-secondary. */
  origins: Record<'appPrimary' | 'appSecondary' | 'apiPrimary' | 'apiSecondary', string>;
}

/** An `understudy run` config: two failover records (app, api) with their own checks, three regions, fast sync. */
export function runConfig(c: RunConfigInput): string {
  const check = (url: string) => `
    type: https
    url: ${url}/health
    sni: localhost
    tls: { verify: true, caFile: ${c.caFile} }
    interval: 1s
    timeout: 500ms
    fall: 2
    rise: 2`;
  const record = (name: string, primary: string, secondary: string, check1: string, check2: string) => `
      - name: ${name}
        type: A
        ttl: 60
        answers:
          - { name: primary, values: [${primary}], check: ${check1} }
          - { name: secondary, values: [${secondary}], check: ${check2} }
        failbackAfter: 2s
        flapDamping: false`;
  return `regions: [us-east, eu-west, ap-south]
quorum: "2/3"
listen:
  dns: ["127.0.0.1:${c.dnsPort}"]
  http: "127.0.0.1:${c.httpPort}"
  dashboard: "127.0.0.1:${c.dashboardPort}"
dns: { workers: 1 }
admin:
  tokens: [{ name: sync-oncall, token: ${ADMIN_TOKEN} }]
state:
  file: ${c.stateFile}
decider:
  tickInterval: 200ms
logging: { level: info }
sync:
  reconcileInterval: 2s
checks:
  app-primary:${check(c.origins.appPrimary)}
  app-secondary:${check(c.origins.appSecondary)}
  api-primary:${check(c.origins.apiPrimary)}
  api-secondary:${check(c.origins.apiSecondary)}
zones:
  - apex: ${ZONE}
    ns: [ns1.${ZONE}]
    records:
      - { name: ns1, type: A, values: [127.0.0.1] }
    failover:${record('app', '192.0.2.10', '198.51.100.10', 'app-primary', 'app-secondary')}${record('api', '192.0.2.20', '198.51.100.20', 'api-primary', 'api-secondary')}
${targetsYaml(c)}`;
}
