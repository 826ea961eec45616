/**
 * @module The Prometheus metrics of the bot and the workers (prom-client), in one registry
 * per process: turns and edits by outcome, render seconds by backend, queue waiting and
 * active, and Redis errors.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  turns: Counter<'platform' | 'outcome'>;
  edits: Counter<'outcome'>;
  renderSeconds: Histogram<'backend'>;
  queueJobs: Gauge<'state'>;
  redisErrors: Counter<'component'>;
  pictureRefusals: Counter<'stage' | 'class' | 'scope' | 'platform'>;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'moodshift_' });
  return {
    registry,
    turns: new Counter({
      name: 'moodshift_turns_total',
      help: 'Turns handled, by platform and outcome (edited, restored, info, asked, refused, unavailable, failed)',
      labelNames: ['platform', 'outcome'] as const,
      registers: [registry],
    }),
    edits: new Counter({
      name: 'moodshift_edits_total',
      help: 'Renders finished, by outcome (completed, failed)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    renderSeconds: new Histogram({
      name: 'moodshift_render_seconds',
      help: 'Seconds per render, by backend',
      labelNames: ['backend'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 60],
      registers: [registry],
    }),
    queueJobs: new Gauge({
      name: 'moodshift_queue_jobs',
      help: 'Render jobs in the queue, by state (waiting, active)',
      labelNames: ['state'] as const,
      registers: [registry],
    }),
    redisErrors: new Counter({
      name: 'moodshift_redis_errors_total',
      help: 'Redis errors seen, by component',
      labelNames: ['component'] as const,
      registers: [registry],
    }),
    pictureRefusals: new Counter({
      name: 'moodshift_picture_refusals_total',
      help: 'Pictures refused by the picture-safety rule, by stage (incoming, outgoing), class (Porn, Hentai, Sexy, Drawing, unchecked = classifier failed or timed out), scope level whose rule refused (global, server, channel) and platform',
      labelNames: ['stage', 'class', 'scope', 'platform'] as const,
      registers: [registry],
    }),
  };
}
