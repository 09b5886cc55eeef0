/** Zone-transfer and NOTIFY metrics (issue 15) from the DNS role's hooks. */
import type { DnsRoleOptions } from '@understudy/dns';
import type { UnderstudyMetrics } from '@understudy/observability';

const RESULT: Record<number, string> = { 0: 'ok', 1: 'FORMERR', 2: 'SERVFAIL', 5: 'REFUSED', 9: 'NOTAUTH' };

export function transferWiring(
  metrics: UnderstudyMetrics,
): Required<Pick<DnsRoleOptions, 'onTransfer' | 'notifyHooks'>> {
  const m = metrics.transfer;
  return {
    onTransfer: (info) => {
      m.transfers.inc({ type: info.type, result: RESULT[info.rcode] ?? `RCODE${info.rcode}` });
      m.transferBytes.inc({ type: info.type }, info.bytes);
      m.transferDuration.observe({ type: info.type }, info.ms / 1000);
      if (info.rcode === 0 && info.clientSerial !== null)
        m.secondarySerial.set({ secondary: info.client }, info.clientSerial);
    },
    notifyHooks: {
      onSent: (e) => m.notifiesSent.inc({ secondary: e.target }),
      onAcked: (e) => {
        m.notifiesAcked.inc({ secondary: e.target });
        m.notifyAckDelay.observe(e.ms / 1000);
      },
    },
  };
}
