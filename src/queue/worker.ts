/**
 * @module `moodshift worker`: serves render jobs from the Redis queue on any host that can
 * reach Redis (GPU hosts in production). It reads the original picture from the bot's picture
 * store (`RedisPictureStore`; it never touches conversations), renders it with its own local backend (`WORKER_RENDERER`: `tone` or `diffusion`),
 * writes the result back with a time to live and returns only its hash. SIGTERM finishes the
 * job in hand and takes no new one.
 */
import { UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig, type AppConfig } from '../config.ts';
import { isEmotion } from '../emotions.ts';
import { createLogger, type Logger } from '../logger.ts';
import { RedisConnection } from '../redis/redis-connection.ts';
import type { Renderer, RenderRequest } from '../renderer/renderer.ts';
import { ToneRenderer } from '../renderer/tone-renderer.ts';
import type { PictureStore } from '../store/picture-store.ts';
import { RedisPictureStore } from '../store/redis-picture-store.ts';
import { QUEUE_PREFIX, RENDER_QUEUE_NAME, delay, type RenderJobData, type RenderJobResult } from './render-queue.ts';

export interface RenderWorkerOptions {
  /**
   * The Redis of the queue: a URL (BullMQ opens and closes its own connections) or a
   * `RedisConnection` (the caller closes it); either way BullMQ's connections retry for ever
   * (`maxRetriesPerRequest: null`), as it requires.
   */
  redis: RedisConnection | string;
  /** Where originals are read from and results written to: the bot's pictures (its Redis). */
  pictures: PictureStore;
  renderer: Renderer;
  /** Jobs this process renders at once. @defaultValue 1 */
  concurrency?: number;
  /** A render running longer fails (without retries) and the person is told. @defaultValue 120 s */
  renderTimeoutSeconds?: number;
  /** How long a worker's lock on a job lasts without renewal; a dead worker's job is taken over after it. @defaultValue 30 000 ms */
  lockDurationMs?: number;
  /** How often stalled jobs (of dead workers) are looked for. @defaultValue 30 000 ms */
  stalledIntervalMs?: number;
  /** How often a job may stall before it fails. @defaultValue 2 */
  maxStalledCount?: number;
  /** @defaultValue a pino logger on standard output, level `info` */
  logger?: Logger;
}

/** How long closing waits for Redis once no render is running. */
const CLOSE_GRACE_MS = 3000;

export class RenderWorker {
  readonly #options: Required<Omit<RenderWorkerOptions, 'redis'>>;
  readonly #worker: Worker<RenderJobData, RenderJobResult>;
  readonly #redis: RedisConnection;
  readonly #ownsRedis: boolean;
  /** Renders finished by this process, by outcome. */
  readonly stats = { completed: 0, failed: 0 };
  /** Jobs this process is rendering now. */
  #rendering = 0;

  constructor(options: RenderWorkerOptions) {
    const { redis, ...rest } = options;
    this.#options = {
      concurrency: 1,
      renderTimeoutSeconds: 120,
      lockDurationMs: 30_000,
      stalledIntervalMs: 30_000,
      maxStalledCount: 2,
      logger: createLogger(),
      ...rest,
    };
    const { logger } = this.#options;
    this.#ownsRedis = typeof redis === 'string';
    this.#redis = typeof redis === 'string' ? new RedisConnection({ url: redis, lazyConnect: true }) : redis;
    this.#worker = new Worker<RenderJobData, RenderJobResult>(RENDER_QUEUE_NAME, (job) => this.#processCounted(job), {
      connection: this.#redis.bullmqConnection() as ConnectionOptions,
      prefix: QUEUE_PREFIX,
      concurrency: this.#options.concurrency,
      lockDuration: this.#options.lockDurationMs,
      stalledInterval: this.#options.stalledIntervalMs,
      maxStalledCount: this.#options.maxStalledCount,
    });
    this.#worker.on('error', (error) => logger.warn({ err: error }, 'worker: redis error'));
    this.#worker.on('completed', (job) => {
      this.stats.completed++;
      logger.info({ job: job.id, attempt: job.attemptsMade }, 'render completed');
    });
    this.#worker.on('failed', (job, error) => {
      this.stats.failed++;
      logger.warn({ job: job?.id, attempt: job?.attemptsMade, reason: error.message }, 'render failed');
    });
  }

  get name(): string {
    return this.#options.renderer.name;
  }

  isRunning(): boolean {
    return this.#worker.isRunning();
  }

  async waitUntilReady(): Promise<void> {
    await this.#worker.waitUntilReady();
  }

  async #processCounted(job: Job<RenderJobData, RenderJobResult>): Promise<RenderJobResult> {
    this.#rendering++;
    try {
      return await this.#process(job);
    } finally {
      this.#rendering--;
    }
  }

  async #process(job: Job<RenderJobData, RenderJobResult>): Promise<RenderJobResult> {
    const { pictures, renderer, renderTimeoutSeconds } = this.#options;
    const { imageHash, plan, intensity, seed } = job.data;
    if (!plan || !isEmotion(plan.target) || !(intensity > 0 && intensity <= 1))
      throw new UnrecoverableError('the job has no valid plan or intensity');
    const image = await pictures.get(imageHash);
    if (!image) throw new UnrecoverableError(`the original picture ${imageHash} is not in the store (expired?)`);
    const abort = new AbortController();
    const request: RenderRequest = {
      image,
      plan,
      intensity,
      seed,
      signal: abort.signal,
      onProgress: (progress) => {
        if (progress.stage === 'rendering')
          void job.updateProgress({ step: progress.step, steps: progress.steps }).catch(() => {});
      },
    };
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abort.abort();
        reject(new UnrecoverableError(`render timed out after ${renderTimeoutSeconds} s`));
      }, renderTimeoutSeconds * 1000);
    });
    try {
      const result = await Promise.race([renderer.render(request), timedOut]);
      const hash = await pictures.put(result);
      return { hash, format: result.format, width: result.width, height: result.height };
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Finishes the jobs in hand, takes no new one, and closes the connections. BullMQ's close
   * waits for Redis, for ever while Redis is down; so once no render is running here, it gets
   * `CLOSE_GRACE_MS` more, and then the connections are cut (a job whose result could not be
   * written is taken up again by another worker, as after a crash).
   */
  async close(): Promise<void> {
    await this.#closeWorker();
    if (this.#ownsRedis) await this.#redis.close();
  }

  async #closeWorker(): Promise<void> {
    const closed = this.#worker.close().then(
      () => true,
      () => true,
    );
    const renderDeadline = Date.now() + this.#options.renderTimeoutSeconds * 1000;
    while (this.#rendering > 0 && Date.now() < renderDeadline)
      if (await Promise.race([closed, delay(100, false)])) return;
    if (await Promise.race([closed, delay(CLOSE_GRACE_MS, false)])) return;
    this.#options.logger.warn('worker: Redis did not answer while closing; cutting the connections');
    await Promise.race([this.#worker.close(true).catch(() => {}), delay(1000, undefined)]);
    await Promise.race([this.#worker.disconnect().catch(() => {}), delay(1000, undefined)]);
  }
}

/**
 * A renderer that takes `delayMs` in `steps` steps before handing over to another one.
 * Only for the queue's failure tests (`MOODSHIFT_TEST_RENDER_DELAY_MS`), so that a worker can
 * be killed while a job is in hand.
 */
export function slowRenderer(inner: Renderer, delayMs: number, steps = 5): Renderer {
  return {
    name: inner.name,
    async render(request) {
      for (let step = 1; step <= steps; step++) {
        await sleep(delayMs / steps);
        request.onProgress?.({ stage: 'rendering', step, steps });
      }
      return inner.render({ ...request, onProgress: undefined });
    },
  };
}

async function localRenderer(config: AppConfig, logger: Logger): Promise<Renderer> {
  if (config.workerRenderer === 'diffusion') {
    const { createDiffusionRenderer } = await import('../onnx/diffusion-renderer.ts');
    return createDiffusionRenderer({
      modelsDir: config.modelsDir,
      executionProvider: config.executionProvider,
      logger,
    });
  }
  return new ToneRenderer();
}

/** Entry point of `moodshift worker`. Resolves with the exit code once stopped by SIGTERM or SIGINT. */
export async function runWorker(_argv: string[], io: { stderr: NodeJS.WritableStream }): Promise<number> {
  const config = loadConfig();
  if (!config.redisUrl) {
    io.stderr.write('moodshift worker needs REDIS_URL: the Redis server the bot queues renders in.\n');
    return 2;
  }
  const logger = createLogger({ level: config.logLevel, name: 'moodshift-worker' });
  // One connection for the pictures, the settings check and health; BullMQ's own come from it too.
  const redis = new RedisConnection({ url: config.redisUrl, logger });
  const pictures = new RedisPictureStore({
    redis,
    imageTtlSeconds: Math.round(config.stateTtlDays * 24 * 3600),
    maxImageBytes: Math.round(config.pictureBudgetMegabytes * 1024 * 1024),
  });
  let renderer = await localRenderer(config, logger);
  if (config.testRenderDelayMs > 0) renderer = slowRenderer(renderer, config.testRenderDelayMs);
  const worker = new RenderWorker({
    redis,
    pictures,
    renderer,
    concurrency: config.workerConcurrency,
    renderTimeoutSeconds: config.renderTimeoutSeconds,
    lockDurationMs: config.workerLockDurationMs,
    stalledIntervalMs: config.workerStalledIntervalMs,
    logger,
  });
  // The settings are looked at once Redis answers (at most 3 s; otherwise it says so and goes on).
  await redis.checkServer(3000).catch(() => []);

  let health: { close(): Promise<void> } | undefined;
  if (config.metricsPort !== undefined) {
    const { startWorkerObservability } = await import('../observability/worker-observability.ts');
    health = await startWorkerObservability(worker, { port: config.metricsPort, redis });
  }
  logger.info({ renderer: renderer.name, concurrency: config.workerConcurrency }, 'worker started');
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'worker stopping: finishing the job in hand');
      await worker.close();
      await health?.close();
      await renderer.close?.();
      await pictures.close();
      await redis.close();
      logger.info('worker stopped');
      resolve(0);
    };
    process.once('SIGTERM', () => void stop('SIGTERM'));
    process.once('SIGINT', () => void stop('SIGINT'));
  });
}
