/**
 * Reload for the decider (issue 13): a new engine for the new config, resuming the old one's state as
 * libs/core's reconfigureState carries it over, under the same epoch and past the old serial.
 */
import {
  DecisionEngine,
  reconfigureState,
  type ReconfigureReport,
  type UnderstudyConfig,
} from '@understudy/core';

/** What a reload hands a role: LoadedConfig from @understudy/config fits. */
export interface ConfigUpdate {
  config: UnderstudyConfig;
  hash: string;
}

export function reconfiguredEngine(
  engine: DecisionEngine,
  before: UnderstudyConfig,
  loaded: ConfigUpdate,
  now: number,
): { engine: DecisionEngine; report: ReconfigureReport } {
  const { state, report } = reconfigureState(before, loaded.config, engine.snapshot());
  const next = new DecisionEngine({
    config: loaded.config,
    state,
    now,
    // Same lease, same epoch: a reload is not a new term.
    epoch: engine.currentEpoch,
    // The overlay's serial moves on, so every consumer takes the new record set as a newer zone.
    minSerial: engine.serial,
    configHash: loaded.hash,
  });
  return { engine: next, report };
}
