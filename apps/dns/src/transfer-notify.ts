/**
 * NOTIFY wiring for the DNS role (issue 15): a NotifySender for dns.transfer.notify, told of every serial
 * this instance serves. Null when no secondary is configured.
 */
import type { Logger, UnderstudyConfig } from '@understudy/core';
import { NotifySender, SecondaryWatch, type NotifySenderOptions, type TsigKey } from '@understudy/dns-server';

export type NotifyHooks = Pick<NotifySenderOptions, 'onSent' | 'onAcked'>;

export function notifierFor(
  config: UnderstudyConfig,
  logger: Logger,
  hooks: NotifyHooks = {},
): NotifySender | null {
  const t = config.dns.transfer;
  if (!t || t.notify.length === 0) return null;
  const keys = new Map<string, TsigKey>(
    t.keys.map((k) => [k.name, { name: k.name, secret: Buffer.from(k.secret, 'base64') }]),
  );
  return new NotifySender({
    targets: t.notify.map((n) => ({
      host: n.host,
      port: n.port,
      key: n.key ? (keys.get(n.key) ?? null) : null,
    })),
    zones: config.zones.map((z) => z.apex),
    logger,
    retryMs: t.notifyRetry,
    retryMaxMs: t.notifyRetryMax,
    minIntervalMs: t.notifyMinInterval,
    ...hooks,
  });
}

/**
 * Watches what each dns.transfer.notify secondary serves (its SOA serial, asked after each NOTIFY ack and on
 * the publication heartbeat), so a secondary is a publication target like the others. Null without any.
 */
export function secondaryWatchFor(
  config: UnderstudyConfig,
  now: () => number,
  onServing: (address: string, serial: number, at: number) => void,
): SecondaryWatch | null {
  const t = config.dns.transfer;
  if (!t || t.notify.length === 0) return null;
  return new SecondaryWatch({
    targets: t.notify,
    zones: config.zones.map((z) => z.apex),
    now,
    onServing,
    // Up to the NOTIFY retry cap: a secondary slower than that to transfer is seen by the heartbeat.
    pollMaxMs: Math.max(100, Math.min(t.notifyRetryMax, 2000)),
  });
}
