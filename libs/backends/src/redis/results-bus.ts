/**
 * ResultsBus on BullMQ: one job per published batch (a probe publishes one batch per region per tick).
 *
 * - Producer: a dedicated client without offline queue (BullMQ production guide), so publish() rejects with
 *   TransientError at once while Redis is down; the probe keeps its latest results and publishes later.
 * - Consumer: one Worker, concurrency 1 (publish order per publisher), its client with
 *   maxRetriesPerRequest null. A handler rejection fails the attempt; BullMQ retries it with a capped
 *   exponential backoff, up to `attempts`.
 * - Every payload is checked before the handler sees it. A corrupted (not JSON) or foreign (wrong shape or
 *   job name) job is logged with its id and the reason, then completed without calling the handler.
 * - Finished jobs are removed by count and age, so Redis does not grow.
 * - close() is bounded: BullMQ's close can wait for Redis indefinitely (an outage), so after closeTimeoutMs
 *   the worker and the producer are disconnected by force. The in-flight handler is not waited for then.
 * - Payloads are capped at `maxPayloadBytes`: publish refuses a bigger batch, and the consumer drops a
 *   bigger stored job before parsing it (issue #10).
 */
import { Queue, Worker, type Job, type JobJson } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  TransientError,
  type BatchHandler,
  type Logger,
  type ResultBatch,
  type ResultsBus,
} from '@understudy/core';
import { silentLogger } from '../memory/silent-logger.js';
import { checkBatch, MAX_BATCH_BYTES } from './batch-check.js';
import { transient, type RedisConnection } from './connection.js';

export interface RedisResultsBusOptions {
  connection: RedisConnection;
  /** Queue name. Default "results". */
  queue?: string;
  /** Handler calls at a time. Default 1 (keeps publish order per publisher). */
  concurrency?: number;
  logger?: Logger;
  /** Deliveries of a batch whose handler keeps rejecting. Default 20. */
  attempts?: number;
  /** First retry delay, doubled per attempt up to maxBackoffMs. Defaults 100 ms and 5 s. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** How long the first publish waits for the initial connection. Default 3 s. */
  connectWaitMs?: number;
  /** How long close() waits for an orderly close before disconnecting by force. Default 3 s. */
  closeTimeoutMs?: number;
  /** Largest serialized batch published or consumed. Default MAX_BATCH_BYTES (32 MiB). */
  maxPayloadBytes?: number;
}

export interface ResultsBusStats {
  published: number;
  delivered: number;
  /** Corrupted or foreign payloads dropped. */
  discarded: number;
  /** Handler rejections (each is retried until attempts run out). */
  failures: number;
}

const JOB_NAME = 'batch';
/** Marks a job whose stored data was not JSON, so the processor can log and drop it. */
const CORRUPT = '__understudyCorrupt';

/** A Worker that turns unparseable or oversized job data into a marked payload instead of a stuck job. */
class CheckedWorker extends Worker {
  maxPayloadBytes = MAX_BATCH_BYTES;

  protected override createJob(data: JobJson, jobId: string): Job {
    // Refused before JSON.parse: parsing a huge payload is the cost a cap exists to avoid.
    if (typeof data.data === 'string' && data.data.length > this.maxPayloadBytes) {
      const reason = `payload of ${data.data.length} bytes is over the ${this.maxPayloadBytes}-byte cap`;
      return super.createJob({ ...data, data: JSON.stringify({ [CORRUPT]: reason }) }, jobId);
    }
    try {
      return super.createJob(data, jobId);
    } catch (err) {
      const reason = `stored job is not valid JSON: ${err instanceof Error ? err.message : String(err)}`;
      return super.createJob({ ...data, data: JSON.stringify({ [CORRUPT]: reason }) }, jobId);
    }
  }
}

export class RedisResultsBus implements ResultsBus {
  private readonly conn: RedisConnection;
  private readonly logger: Logger;
  private readonly name: string;
  private readonly prefix: string;
  private producer: Producer | null = null;
  private worker: Worker | null = null;
  private workerClient: Redis | null = null;
  private closed = false;
  private closing: Promise<void> | null = null;
  private readonly counts: ResultsBusStats = { published: 0, delivered: 0, discarded: 0, failures: 0 };

  constructor(private readonly opts: RedisResultsBusOptions) {
    this.conn = opts.connection;
    this.logger = opts.logger ?? silentLogger;
    this.name = opts.queue ?? 'results';
    this.prefix = `${this.conn.prefix}q`;
    if (!/^[\w.-]+$/.test(this.name)) throw new RangeError(`RedisResultsBus: bad queue name "${this.name}"`);
  }

  async publish(batch: ResultBatch): Promise<void> {
    if (this.closed) throw new Error('RedisResultsBus is closed');
    const size = Buffer.byteLength(JSON.stringify(batch));
    const cap = this.opts.maxPayloadBytes ?? MAX_BATCH_BYTES;
    if (size > cap) {
      // Not transient: the same batch would be refused again.
      throw new RangeError(
        `results batch of ${size} bytes (${batch.results.length} results from ${batch.region}) is over the ${cap}-byte cap`,
      );
    }
    const producer = this.producerQueue();
    await this.whenConnected(producer);
    try {
      await producer.queue.add(JOB_NAME, batch, {
        attempts: this.opts.attempts ?? 20,
        backoff: { type: 'capped' },
        removeOnComplete: { age: 3_600, count: 1_000 },
        removeOnFail: { age: 7 * 86_400, count: 1_000 },
      });
    } catch (err) {
      throw transient('publish', err);
    }
    this.counts.published += 1;
  }

  consume(handler: BatchHandler): Promise<void> {
    if (this.closed) return Promise.reject(new Error('RedisResultsBus: consume after close'));
    if (this.worker) return Promise.reject(new Error('RedisResultsBus: consume called twice'));
    const initial = this.opts.initialBackoffMs ?? 100;
    const cap = this.opts.maxBackoffMs ?? 5_000;
    const client = this.conn.duplicate('worker', { lazyConnect: true });
    this.workerClient = client;
    const worker = new CheckedWorker(this.name, (job: Job) => this.process(job, handler), {
      connection: client,
      prefix: this.prefix,
      concurrency: this.opts.concurrency ?? 1,
      settings: { backoffStrategy: (attempts) => Math.min(cap, initial * 2 ** Math.max(attempts - 1, 0)) },
    });
    worker.on('error', (err) => this.logger.warn({ err, queue: this.name }, 'results bus: worker error'));
    worker.on('failed', (job, err) => {
      if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) {
        this.logger.error({ err, jobId: job.id, attempts: job.attemptsMade }, 'results bus: batch dropped');
      }
    });
    worker.maxPayloadBytes = this.opts.maxPayloadBytes ?? MAX_BATCH_BYTES;
    this.worker = worker;
    return Promise.resolve();
  }

  stats(): ResultsBusStats {
    return { ...this.counts };
  }

  /** Waits for the in-flight handler, then stops consuming and publishing. Idempotent. */
  close(): Promise<void> {
    this.closed = true;
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    const orderly = Promise.allSettled([this.worker?.close(), this.closeProducer()]);
    const ms = this.opts.closeTimeoutMs ?? 3_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), ms);
    });
    const results = await Promise.race([orderly, timedOut]);
    clearTimeout(timer);
    if (!results) {
      this.logger.warn({ queue: this.name, ms }, 'results bus: close timed out; disconnecting by force');
      await this.forceClose();
      return;
    }
    for (const r of results) {
      if (r.status === 'rejected')
        this.logger.warn({ err: r.reason as unknown }, 'results bus: close failed');
    }
    // BullMQ never closes a client it was handed (it counts it as shared): without this, every
    // leadership term would leave its worker connection open.
    if (this.workerClient) await this.conn.release(this.workerClient).catch(() => undefined);
  }

  /** Drops every connection of this bus at once; what BullMQ still awaits then fails or ends. */
  private async forceClose(): Promise<void> {
    const quiet = (p: Promise<unknown> | undefined) => p?.catch(() => undefined);
    await Promise.all([
      quiet(this.worker?.disconnect()),
      quiet(this.workerClient ? this.conn.release(this.workerClient) : undefined),
      quiet(this.producer ? this.conn.release(this.producer.client) : undefined),
    ]);
  }

  private async closeProducer(): Promise<void> {
    if (!this.producer) return;
    const { queue, client } = this.producer;
    try {
      await queue.close();
    } finally {
      // The queue does not own the client it was given.
      await this.conn.release(client);
    }
  }

  private async process(job: Job, handler: BatchHandler): Promise<void> {
    const problem = this.problemWith(job);
    if (problem) {
      this.counts.discarded += 1;
      this.logger.warn(
        { jobId: job.id, queue: this.name, reason: problem },
        'results bus: discarded a bad job',
      );
      return;
    }
    try {
      await handler(job.data as ResultBatch);
      this.counts.delivered += 1;
    } catch (err) {
      this.counts.failures += 1;
      throw err;
    }
  }

  private problemWith(job: Job): string | null {
    const data = job.data as unknown;
    if (data && typeof data === 'object' && CORRUPT in data)
      return String((data as Record<string, unknown>)[CORRUPT]);
    if (job.name !== JOB_NAME) return `unexpected job name "${String(job.name).slice(0, 100)}"`;
    return checkBatch(data);
  }

  /** Jobs per state in the queue (understudy_queue_depth); throws while Redis is unreachable. */
  async jobCounts(): Promise<Record<string, number>> {
    if (this.closed) return {};
    const p = this.producerQueue();
    await this.whenConnected(p);
    return p.queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
  }

  private producerQueue(): Producer {
    if (!this.producer) {
      const client = this.conn.duplicate('producer');
      const queue = new Queue(this.name, { connection: client, prefix: this.prefix });
      queue.on('error', (err) => this.logger.warn({ err, queue: this.name }, 'results bus: queue error'));
      const producer: Producer = { client, queue, everReady: client.status === 'ready' };
      client.on('ready', () => (producer.everReady = true));
      this.producer = producer;
    }
    return this.producer;
  }

  /** Fails fast while Redis is down; only the very first connection is waited for (briefly). */
  private async whenConnected(p: Producer): Promise<void> {
    if (p.client.status === 'ready') return;
    if (!p.everReady && p.client.status !== 'end') {
      const waitMs = this.opts.connectWaitMs ?? 3_000;
      const ok = await new Promise<boolean>((resolve) => {
        const onReady = () => {
          clearTimeout(timer);
          resolve(true);
        };
        const timer = setTimeout(() => {
          p.client.off('ready', onReady);
          resolve(false);
        }, waitMs);
        p.client.once('ready', onReady);
      });
      if (ok) return;
    }
    throw new TransientError(`redis: not connected (${p.client.status}); batch not published`);
  }
}

interface Producer {
  client: Redis;
  queue: Queue;
  everReady: boolean;
}
