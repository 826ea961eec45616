/**
 * @module Metrics and health of a `moodshift worker` process.
 */
import type { RedisConnection } from '../redis/redis-connection.ts';
import { redisPingCheck, startHealthServer, type RunningHealthServer } from './health-server.ts';
import { createMetrics } from './metrics.ts';

/** What the worker's metrics read: its counters and whether it runs (a `RenderWorker`). */
export interface ObservedWorker {
  readonly stats: { completed: number; failed: number };
  isRunning(): boolean;
}

export interface WorkerObservabilityOptions {
  port: number;
  /** @defaultValue `0.0.0.0` */
  host?: string;
  /** The worker's Redis connection, for `/readyz` (the caller closes it). */
  redis: RedisConnection;
}

export async function startWorkerObservability(
  worker: ObservedWorker,
  options: WorkerObservabilityOptions,
): Promise<RunningHealthServer> {
  const metrics = createMetrics();
  const { redis } = options;
  let seen = { completed: 0, failed: 0 };
  const collect = () => {
    metrics.edits.inc({ outcome: 'completed' }, worker.stats.completed - seen.completed);
    metrics.edits.inc({ outcome: 'failed' }, worker.stats.failed - seen.failed);
    seen = { ...worker.stats };
  };
  const server = await startHealthServer({
    port: options.port,
    host: options.host,
    registry: {
      contentType: metrics.registry.contentType,
      metrics: async () => {
        collect();
        return metrics.registry.metrics();
      },
    } as typeof metrics.registry,
    checks: {
      redis: redisPingCheck(redis),
      worker: () => worker.isRunning(),
    },
  });
  return {
    url: server.url,
    close: async () => {
      await server.close();
    },
  };
}
