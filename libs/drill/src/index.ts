export { runDrill, newDrillId } from './run-drill.js';
export type { RunDrillOptions } from './run-drill.js';
export { DrillRegistry } from './drill-registry.js';
export type { DrillRegistryOptions } from './drill-registry.js';
export { planDrill } from './plan.js';
export type { DrillPlan, DrillProbe } from './plan.js';
export type {
  DrillDeps,
  DrillReport,
  DrillRequest,
  DrillStatus,
  DrillTargetResult,
  RecordView,
} from './types.js';
