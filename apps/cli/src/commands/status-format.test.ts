import { describe, expect, it } from 'vitest';
import type { StatusView } from '@understudy/core';
import { formatStatus } from './status-format.js';

const now = 1_000_000;
const view: StatusView & { epoch: number } = {
  serial: 42,
  epoch: 3,
  guard: { holding: true, since: now - 5000, released: false },
  regions: [
    { region: 'us-east', lastSeenAt: now - 1000, stale: false },
    { region: 'eu-west', lastSeenAt: now - 90_000, stale: true },
  ],
  records: [
    {
      id: 'app.example.test./A',
      ttl: 30,
      active: 'secondary',
      values: ['198.51.100.10'],
      allDown: false,
      tier: 1,
      switchedAt: now - 10_000,
      publishedAt: { dns: now - 9_000, 'secondary:127.0.0.1:5300': now - 8_000 },
      effectiveBy: { dns: now + 21_000, 'secondary:127.0.0.1:5300': now + 22_000 },
      pendingFailback: { to: 'primary', dueAt: now + 40_000 },
      damped: false,
      resumesAt: null,
      ttlNow: 30,
      degraded: false,
      overrides: { primary: 'down' },
    },
    {
      id: 'x.example.test./A',
      ttl: 60,
      active: 'none',
      values: [],
      allDown: true,
      tier: null,
      switchedAt: null,
      publishedAt: {},
      effectiveBy: {},
      pendingFailback: { to: 'primary', dueAt: null },
      damped: true,
      resumesAt: now + 50_000,
      ttlNow: 60,
      degraded: false,
      overrides: {},
    },
  ],
  checks: [
    {
      id: 'primary',
      type: 'https',
      target: 'https://192.0.2.10:443/healthz',
      verdict: 'down',
      verdictChangedAt: now - 10_000,
      insufficient: false,
      regions: [
        {
          region: 'us-east',
          state: 'down',
          stale: false,
          changedAt: now,
          last: { ok: false, reason: 'connect', timings: { total: 3.2 }, observedAt: now },
          consecutiveOk: 0,
          consecutiveFail: 3,
        },
        {
          region: 'eu-west',
          state: 'up',
          stale: true,
          changedAt: null,
          last: null,
          consecutiveOk: 0,
          consecutiveFail: 0,
        },
      ],
    },
  ],
  secondaries: [
    {
      target: 'secondary:127.0.0.1:5300',
      address: '127.0.0.1:5300',
      serial: 42,
      seenAt: now - 2000,
      instances: 1,
    },
    { target: 'secondary:[::1]:53', address: '[::1]:53', serial: null, seenAt: null, instances: 0 },
  ],
};

// now = 1970-01-01T00:16:40Z
const T = (offsetS: number) => new Date(now + offsetS * 1000).toISOString().replace('.000Z', 'Z');
const esc = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('formatStatus', () => {
  it('renders records, checks, timing and notes as aligned tables, every time in UTC with Z', () => {
    const text = formatStatus(view, now);
    expect(text).toContain(`as of 1970-01-01T00:16:40Z  serial 42  epoch 3  MASS-FAILURE GUARD HOLDING`);
    expect(text).toMatch(
      new RegExp(
        `app\\.example\\.test\\./A\\s+secondary\\s+198\\.51\\.100\\.10\\s+30s\\s+${esc(T(-10))} \\(10s ago\\)\\s+` +
          `dns ${esc(T(21))} \\(in 21s\\), secondary:127\\.0\\.0\\.1:5300 ${esc(T(22))} \\(in 22s\\)\\s+` +
          `failback to primary at ${esc(T(40))} \\(in 40s\\); override primary=down`,
      ),
    );
    expect(text).toMatch(
      new RegExp(
        `x\\.example\\.test\\./A\\s+none\\s+\\(no data\\)\\s+60s\\s+-\\s+-\\s+ALL DOWN; flap-damped; ` +
          `failback to primary suspended \\(flapping\\) until ${esc(T(50))} \\(in 50s\\)`,
      ),
    );
    expect(text).toMatch(/primary\s+down\s+down connect 3ms\s+stale/);
    expect(text).toContain('stale regions: eu-west');
    expect(text).toMatch(
      new RegExp(
        `SECONDARY\\s+SERIAL\\s+SEEN\\n127\\.0\\.0\\.1:5300\\s+42\\s+${esc(T(-2))} \\(2s ago\\)\\n\\[::1\\]:53\\s+not seen\\s+-`,
      ),
    );
    // No time without its zone: every date-time printed ends in Z.
    expect(text.match(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?!Z)/g)).toBeNull();
  });

  it('says where each steering rule sends its clients (issue 14 part 3)', () => {
    const steered = [
      { match: ['EU', 'AF'], answer: 'primary', values: ['192.0.2.10'] },
      { match: ['US'], answer: null, values: ['198.51.100.10'] },
    ];
    const rec = { ...view.records[0]!, steered, overrides: {}, pendingFailback: null };
    expect(formatStatus({ ...view, records: [rec] }, now)).toMatch(/steering EU,AF→primary US→default\n/);
  });

  it('a damped record without a pending failback still says when failback resumes', () => {
    const rec = { ...view.records[0]!, pendingFailback: null, damped: true, resumesAt: now + 5000 };
    expect(formatStatus({ ...view, records: [rec] }, now)).toContain(
      `flap-damped, failback resumes ${T(5)} (in 5s)`,
    );
  });
});
