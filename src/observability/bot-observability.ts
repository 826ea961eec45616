/**
 * @module Metrics and health of the bot process (`METRICS_PORT`): turns by outcome, render
 * seconds by backend, the render queue's waiting and active jobs, and readiness of Redis and
 * of each adapter.
 */
import type { RunningAdapter } from '../adapter.ts';
import type { Engine } from '../engine.ts';
import { RedisConnection } from '../redis/redis-connection.ts';
import { redisPingCheck, startHealthServer, type RunningHealthServer } from './health-server.ts';
import { createMetrics, type Metrics } from './metrics.ts';

interface CountsSource {
  counts(): Promise<{ waiting: number; active: number }>;
}

function hasCounts(renderer: unknown): renderer is CountsSource {
  return typeof (renderer as Partial<CountsSource>).counts === 'function';
}

export async function startBotObservability(
  engine: Engine,
  adapters: RunningAdapter[],
  options: { port: number; host?: string },
): Promise<RunningHealthServer & { metrics: Metrics }> {
  const metrics = createMetrics();
  const previous = engine.editor.onTurn;
  engine.editor.onTurn = (report, turn) => {
    previous?.(report, turn);
    metrics.turns.inc({ platform: turn.key.platform, outcome: report.outcome });
    if (report.renderMs !== undefined) {
      metrics.renderSeconds.observe({ backend: engine.renderer.name }, report.renderMs / 1000);
      metrics.edits.inc({ outcome: 'completed' });
    } else if (report.outcome === 'failed' || report.outcome === 'unavailable') {
      metrics.edits.inc({ outcome: 'failed' });
    }
    if (report.outcome === 'unavailable') metrics.redisErrors.inc({ component: 'bot' });
  };
  const moderation = engine.moderation;
  const previousPictures = moderation.onPictureRefused;
  moderation.onPictureRefused = (refusal) => {
    previousPictures?.(refusal);
    metrics.pictureRefusals.inc({
      stage: refusal.stage,
      class: refusal.class,
      scope: refusal.level,
      platform: refusal.platform,
    });
  };
  // The engine's shared connection when it has one; otherwise one of its own for `/readyz`.
  const shared = engine.redis;
  const own = !shared && engine.config.redisUrl ? new RedisConnection({ url: engine.config.redisUrl }) : undefined;
  const redis = shared ?? own;
  const checks: Record<string, () => boolean | Promise<boolean>> = {};
  if (redis) checks.redis = redisPingCheck(redis);
  for (const adapter of adapters) checks[adapter.name] = () => adapter.isReady();
  const renderer = engine.renderer;
  const server = await startHealthServer({
    port: options.port,
    host: options.host,
    registry: {
      contentType: metrics.registry.contentType,
      metrics: async () => {
        if (hasCounts(renderer)) {
          const counts = await renderer.counts().catch(() => undefined);
          if (counts) {
            metrics.queueJobs.set({ state: 'waiting' }, counts.waiting);
            metrics.queueJobs.set({ state: 'active' }, counts.active);
          } else {
            metrics.redisErrors.inc({ component: 'queue' });
          }
        }
        return metrics.registry.metrics();
      },
    } as typeof metrics.registry,
    checks,
  });
  return {
    metrics,
    url: server.url,
    close: async () => {
      engine.editor.onTurn = previous;
      moderation.onPictureRefused = previousPictures;
      await server.close();
      await own?.close();
    },
  };
}
