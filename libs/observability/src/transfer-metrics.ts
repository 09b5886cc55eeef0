/**
 * Zone-transfer metrics (issue 15): transfers served by type and result, their bytes and duration, the
 * NOTIFYs sent and acknowledged per secondary, and the serial each secondary held when it last asked
 * (an IXFR carries it). Labelled by secondary address: only addresses dns.transfer allows or notifies.
 */
import client from 'prom-client';
import type { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface TransferMetrics {
  /** type: AXFR, IXFR, IXFR-AXFR (an IXFR answered with the whole zone); result: ok or the rcode name. */
  transfers: Counter<'type' | 'result'>;
  transferBytes: Counter<'type'>;
  transferDuration: Histogram<'type'>;
  notifiesSent: Counter<'secondary'>;
  notifiesAcked: Counter<'secondary'>;
  /** NOTIFY sent → acknowledged, including retries. */
  notifyAckDelay: Histogram;
  secondarySerial: Gauge<'secondary'>;
}

const BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createTransferMetrics(registry: Registry): TransferMetrics {
  const registers = [registry];
  const n = (name: string): string => `understudy_dns_${name}`;
  return {
    transfers: new client.Counter({
      name: n('transfers_total'),
      help: 'Zone transfer requests by type and result (ok, REFUSED, NOTAUTH, ...)',
      labelNames: ['type', 'result'],
      registers,
    }),
    transferBytes: new client.Counter({
      name: n('transfer_bytes_total'),
      help: 'Octets of zone transfer replies, by type',
      labelNames: ['type'],
      registers,
    }),
    transferDuration: new client.Histogram({
      name: n('transfer_seconds'),
      help: 'Time to build a zone transfer reply, by type',
      labelNames: ['type'],
      buckets: BUCKETS,
      registers,
    }),
    notifiesSent: new client.Counter({
      name: n('notifies_sent_total'),
      help: 'NOTIFY messages sent, retries included, per secondary',
      labelNames: ['secondary'],
      registers,
    }),
    notifiesAcked: new client.Counter({
      name: n('notifies_acked_total'),
      help: 'NOTIFYs acknowledged, per secondary',
      labelNames: ['secondary'],
      registers,
    }),
    notifyAckDelay: new client.Histogram({
      name: n('notify_ack_seconds'),
      help: 'First NOTIFY of a serial sent → acknowledged',
      buckets: BUCKETS,
      registers,
    }),
    secondarySerial: new client.Gauge({
      name: n('secondary_serial'),
      help: 'The SOA serial a secondary held when it last asked for an IXFR',
      labelNames: ['secondary'],
      registers,
    }),
  };
}
