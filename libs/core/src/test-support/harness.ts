/** Drives a DecisionEngine through time with readable steps. */
import type { UnderstudyConfig } from '../config-types.js';
import { DecisionEngine, type EngineOutput } from '../engine.js';
import type { DecisionEvent, EventType } from '../events.js';
import type { DeciderState } from '../state-types.js';
import { batch, result } from './fixtures.js';

export class Harness {
  engine: DecisionEngine;
  now: number;
  events: DecisionEvent[] = [];
  outputs: EngineOutput[] = [];

  constructor(
    readonly config: UnderstudyConfig,
    opts: { now?: number; state?: DeciderState | null; epoch?: number } = {},
  ) {
    this.now = opts.now ?? 1_700_000_000_000;
    this.engine = new DecisionEngine({
      config,
      state: opts.state ?? null,
      now: this.now,
      epoch: opts.epoch ?? 1,
    });
  }

  private record(out: EngineOutput): EngineOutput {
    this.events.push(...out.events);
    this.outputs.push(out);
    return out;
  }

  /** One result per listed region for `check`, observed now; '+' ok, '-' fail, '.' no report. */
  report(check: string, pattern: string, regions = this.config.regions): EngineOutput[] {
    const outs: EngineOutput[] = [];
    [...pattern].forEach((c, i) => {
      if (c === '.') return;
      const region = regions[i]!;
      outs.push(
        this.record(
          this.engine.ingest(batch(region, [result(check, region, c === '+', this.now)]), this.now),
        ),
      );
    });
    return outs;
  }

  /** Advance time by ms (1 ms per report step so results stay strictly ordered). */
  advance(ms: number): void {
    this.now += ms;
  }

  tick(): EngineOutput {
    return this.record(this.engine.tick(this.now));
  }

  /**
   * `times` rounds one interval apart. In each round every region sends ONE batch with its result for every
   * listed check, as a probe does per flush.
   */
  rounds(times: number, reports: Record<string, string>, interval = 1000): void {
    for (let i = 0; i < times; i++) {
      this.config.regions.forEach((region, r) => {
        const results = Object.entries(reports)
          .filter(([, pattern]) => pattern[r] !== undefined && pattern[r] !== '.')
          .map(([check, pattern]) => result(check, region, pattern[r] === '+', this.now));
        if (results.length) this.record(this.engine.ingest(batch(region, results), this.now));
      });
      this.advance(interval);
      this.tick();
    }
  }

  active(record = 'app.example.test./A'): string {
    const a = this.engine.state.records[record]!.active;
    return a.kind === 'none' ? 'none' : a.name;
  }

  values(record = 'app.example.test./A'): string[] {
    return this.engine.state.records[record]!.values;
  }

  served(name = 'app.example.test.', type = 'A'): string[] | undefined {
    return this.engine.zoneState.zones
      .flatMap((z) => z.rrsets)
      .find((r) => r.name === name && r.type === type)?.values;
  }

  ofType(type: EventType): DecisionEvent[] {
    return this.events.filter((e) => e.type === type);
  }
}
