/**
 * @module Time per edit and the machine it ran on. The paper reports the mean editing time per
 * picture (9.6 s for EPEM on one A100); here the median and the 90th percentile (nearest rank)
 * of the whole turn (normalise, plan, render), with the mean beside them, so one slow first
 * edit (models loading) does not hide the typical one.
 */
import { cpus, totalmem, type as osType, release } from 'node:os';

export interface TimeSummary {
  edits: number;
  medianMs: number;
  p90Ms: number;
  meanMs: number;
}

/** The `p`-th percentile (0–100) by nearest rank: the smallest value with at least p % at or below it. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/** The median: the middle value, or the mean of the two middle ones. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function summariseTimes(ms: readonly number[]): TimeSummary | undefined {
  if (ms.length === 0) return undefined;
  return {
    edits: ms.length,
    medianMs: median(ms),
    p90Ms: percentile(ms, 90),
    meanMs: ms.reduce((a, b) => a + b, 0) / ms.length,
  };
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
}

export function describeMachine(): Machine {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    os: `${osType()} ${release()}`,
    node: process.version,
  };
}
