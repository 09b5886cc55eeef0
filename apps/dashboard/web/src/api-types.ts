/**
 * Response shapes of the dashboard API (/api/v1), as the UI reads them: the server's own types
 * (apps/dashboard/src/types.ts), type-only so nothing of the server ends up in the bundle, under the names the
 * UI uses.
 */
import type {
  CheckItem,
  EventPage,
  MatrixBody,
  RecordItem,
  RegionCell,
  RegionItem,
  StatusBody,
  TargetItem,
} from '../../src/types.js';

export type { DecisionEvent, Health, OverrideMode, TargetSyncStatus } from '@understudy/core';
export type { EventPage };

export type StatusView = StatusBody;
export type MatrixView = MatrixBody;
export type CellView = RegionCell;
export type CheckView = CheckItem;
export type RecordView = RecordItem;
export type RegionView = RegionItem;
export type TargetView = TargetItem;

/** GET /checks: one page of the matrix rows. */
export interface CheckPage {
  total: number;
  offset: number;
  limit: number;
  items: CheckView[];
}

/** The `{ items }` envelope of the list endpoints. */
export interface Items<T> {
  items: T[];
}
