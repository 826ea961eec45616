/**
 * @module Metrics and health of a `moodshift worker` process.
 */
import type { RenderWorker } from '../queue/worker.ts';
import { createFailFastRedis } from '../queue/render-queue.ts';
import { redisPingCheck, startHealthServer, type RunningHealthServer } from './health-server.ts';
import { createMetrics } from './metrics.ts';

export async function startWorkerObservability(
  worker: RenderWorker,
  options: { port: number; host?: string; redisUrl: string },
): Promise<RunningHealthServer> {
  const metrics = createMetrics();
  const redis = createFailFastRedis(options.redisUrl);
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
      redis.disconnect();
    },
  };
}
