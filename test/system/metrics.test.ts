/**
 * Metrics: the Grafana dashboard and the alert rules only use metric names the code defines, and the
 * /metrics endpoint of a running `understudy run` parses as Prometheus text with the series the issue
 * asks for.
 */
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { queryUdp } from '@understudy/dns-server';
import { createMetrics } from '@understudy/observability';
import { localhostTls } from '@understudy/origins/certs';
import { startOrigin, type Origin } from '@understudy/origins/origin';
import { freePort } from '@understudy/testkit/ports';
import type { Child } from '@understudy/testkit/process';
import { waitFor } from '@understudy/testkit/wait';
import { familyOf, metricNamesIn } from '../support/metric-names.js';
import { find, parsePrometheusText, type Family } from '../support/prometheus-text.js';
import { systemConfig } from '../support/system-config.js';
import { understudy } from '../support/understudy.js';

const INFRA = fileURLToPath(new URL('../../infra/', import.meta.url));
const REGIONS = ['us-east', 'eu-west', 'ap-south'];
const CHECKS = ['primary', 'secondary', 'expiring'];
const cliVersion = (
  JSON.parse(
    await readFile(fileURLToPath(new URL('../../apps/cli/package.json', import.meta.url)), 'utf8'),
  ) as {
    version: string;
  }
).version;

async function definedFamilies(): Promise<Set<string>> {
  const m = createMetrics(undefined, { defaultMetrics: false });
  return new Set(parsePrometheusText(await m.registry.metrics()).keys());
}

describe('infra: dashboard and alert rules', () => {
  it('use only metric names that createMetrics() defines', async () => {
    const families = await definedFamilies();
    const dashboard = await readFile(join(INFRA, 'grafana/understudy.json'), 'utf8');
    const alerts = await readFile(join(INFRA, 'prometheus/alerts.yml'), 'utf8');
    const used = new Set([...metricNamesIn(dashboard), ...metricNamesIn(alerts)]);
    expect(used.size).toBeGreaterThan(15);
    expect([...used].filter((n) => familyOf(n, families) === null)).toEqual([]);
  });

  it('are well-formed: a Grafana dashboard with queries, and rules with the required alerts', async () => {
    const dash = JSON.parse(await readFile(join(INFRA, 'grafana/understudy.json'), 'utf8')) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    expect(dash.panels.every((p) => p.targets.length > 0 && p.targets.every((t) => t.expr.length > 0))).toBe(
      true,
    );
    const rules = parseYaml(await readFile(join(INFRA, 'prometheus/alerts.yml'), 'utf8')) as {
      groups: { rules: { alert: string; expr: string; labels: { severity: string } }[] }[];
    };
    const byName = new Map(rules.groups.flatMap((g) => g.rules).map((r) => [r.alert, r]));
    for (const [alert, metric] of [
      ['UnderstudyFailover', 'understudy_failover_events_total'],
      ['UnderstudyAllAnswersDown', 'understudy_record_all_down'],
      ['UnderstudyFailoverTotals', 'understudy_records_failed_over'],
      ['UnderstudyAllAnswersDownTotals', 'understudy_records_all_down'],
      ['UnderstudyRegionStale', 'understudy_region_stale'],
      ['UnderstudySyncFailing', 'understudy_target_sync_failures'],
      ['UnderstudyCertificateExpiring', 'understudy_cert_expiry_timestamp_seconds'],
      ['UnderstudyDeciderLagHigh', 'understudy_decider_lag_seconds_bucket'],
      ['UnderstudyNoLeader', 'understudy_leader'],
    ]) {
      expect(byName.get(alert!)?.expr, alert).toContain(metric);
      expect(['warning', 'critical']).toContain(byName.get(alert!)!.labels.severity);
    }
  });
});

describe('/metrics of a running understudy', () => {
  let dir: string;
  let dnsPort: number;
  let httpPort: number;
  let origins: Origin[] = [];
  let app: Child | undefined;

  const scrape = async (): Promise<Map<string, Family>> => {
    const res = await fetch(`http://127.0.0.1:${httpPort}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return parsePrometheusText(await res.text());
  };
  const appA = () => queryUdp({ host: '127.0.0.1', port: dnsPort }, 'app.example.test.', 'A', 2000);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'understudy-metrics-'));
    const { tls: good, caFile } = await localhostTls(dir);
    origins = await Promise.all(CHECKS.map((name) => startOrigin({ name, tls: good })));
    dnsPort = await freePort('127.0.0.1', 'both');
    httpPort = await freePort('127.0.0.1', 'tcp');
    const configFile = join(dir, 'understudy.yaml');
    await writeFile(
      configFile,
      systemConfig({
        dnsPort,
        httpPort,
        stateFile: join(dir, 'state.json'),
        caFile,
        primaryUrl: origins[0]!.url,
        secondaryUrl: origins[1]!.url,
        expiringUrl: origins[2]!.url,
        interval: '500ms',
        timeout: '400ms',
        fall: 2,
        rise: 2,
        failbackAfter: '60s',
      }),
    );
    app = understudy(['run', '--config', configFile], {
      env: { UNDERSTUDY_TEST_ADMIN_TOKEN: 'x'.repeat(24) },
    });
    await waitFor(async () => (await appA()).length > 0, {
      timeoutMs: 20_000,
      what: 'understudy to answer',
    }).catch((err: unknown) => {
      throw new Error(`${String(err)}\n--- understudy output ---\n${app?.output() ?? ''}`);
    });
  });

  afterAll(async () => {
    await app?.stop();
    await Promise.all(origins.map((o) => o.stop()));
    await rm(dir, { recursive: true, force: true });
  });

  it('parses as Prometheus text and has the series the dashboard and alerts need', async () => {
    // Enough UDP queries that every DNS worker times some (1 in 64 is sampled).
    for (let i = 0; i < 400; i++) await appA();
    await origins[0]!.setMode('down');
    await waitFor(async () => (await appA()).join() === '198.51.100.10', {
      timeoutMs: 15_000,
      what: 'failover',
    });
    const fams = await waitFor(
      async () => {
        const f = await scrape();
        const queries = find(f, 'understudy_dns_queries_total', { rcode: 'NOERROR', transport: 'udp' });
        // Every (check, region) pair must have reported at least once: regions probe at independent
        // phases, so the failover can complete before the slowest pair's first result is in.
        const everyPair = CHECKS.every((check) =>
          REGIONS.every(
            (region) =>
              find(f, 'understudy_check_up', { check, region }).length === 1 &&
              (find(f, 'understudy_check_duration_seconds_count', { check, region })[0]?.value ?? 0) > 0,
          ),
        );
        const ready =
          everyPair &&
          (find(f, 'understudy_dns_answer_latency_seconds_count')[0]?.value ?? 0) > 0 &&
          (queries[0]?.value ?? 0) >= 400 &&
          // Every switch's series exists from the start at 0 (issue 12): wait for this one to count.
          (find(f, 'understudy_failover_events_total', {
            record: 'app.example.test./A',
            from: 'primary',
            to: 'secondary',
          })[0]?.value ?? 0) > 0;
        return ready ? f : null;
      },
      {
        timeoutMs: 10_000,
        what: 'every check and region, query counts, latency samples and the failover in /metrics',
      },
    );
    for (const check of CHECKS)
      for (const region of REGIONS) {
        expect(find(fams, 'understudy_check_up', { check, region }), `${check}@${region}`).toHaveLength(1);
        expect(
          find(fams, 'understudy_check_duration_seconds_count', { check, region })[0]!.value,
        ).toBeGreaterThan(0);
      }
    expect(
      find(fams, 'understudy_failover_events_total', {
        record: 'app.example.test./A',
        from: 'primary',
        to: 'secondary',
      })[0]!.value,
    ).toBe(1);
    expect(
      find(fams, 'understudy_current_answer', { record: 'app.example.test./A', answer: 'secondary' })[0]!
        .value,
    ).toBe(1);
    expect(find(fams, 'understudy_decider_lag_seconds_count')[0]!.value).toBeGreaterThan(0);
    expect(
      find(fams, 'understudy_dns_queries_total', { rcode: 'NOERROR', transport: 'udp' })[0]!.value,
    ).toBeGreaterThanOrEqual(400);
    expect(
      find(fams, 'understudy_dns_answer_latency_seconds_bucket', { le: '+Inf' })[0]!.value,
    ).toBeGreaterThan(0);
    expect(find(fams, 'understudy_region_stale', { region: 'eu-west' })[0]?.value).toBe(0);
    // issue 12: the build and the command, not "unknown", under `run` too.
    const info = find(fams, 'understudy_build_info');
    expect(info).toHaveLength(1);
    expect(info[0]!.labels).toMatchObject({ version: cliVersion, role: 'run' });
    // Families whose series appear once a role reports them (providers, queues, lease, webhooks, drills).
    for (const [name, type] of [
      ['understudy_provider_api_calls_total', 'counter'],
      ['understudy_provider_api_errors_total', 'counter'],
      ['understudy_provider_retries_total', 'counter'],
      ['understudy_target_in_sync', 'gauge'],
      ['understudy_queue_depth', 'gauge'],
      ['understudy_lease_epoch', 'gauge'],
      ['understudy_lease_holder', 'gauge'],
      ['understudy_leader', 'gauge'],
      ['understudy_webhook_deliveries_total', 'counter'],
      ['understudy_drills_total', 'counter'],
    ])
      expect(fams.get(name!)?.type, name).toBe(type);
  });
});
