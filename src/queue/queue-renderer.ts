/**
 * @module `MOODSHIFT_RENDERER=queue`: each render becomes a BullMQ job in Redis, served by
 * `moodshift worker` processes on GPU hosts. The job carries references (the original's
 * content hash, the plan, intensity and seed), never bytes; the result comes back as a hash
 * of a picture the worker wrote to the store.
 *
 * Nothing lost, nothing twice: the job id is derived from the (conversation, edit) key, so a
 * repeated submission collapses into one job; failed attempts retry with exponential backoff;
 * a worker that dies mid-job is detected as stalled and another finishes it; a job that can
 * never succeed fails at once.
 */
import { Job, Queue, QueueEvents, type ConnectionOptions } from 'bullmq';
import type { AppConfig } from '../config.ts';
import { ErrorCode, UserError } from '../errors.ts';
import type { CheckedImage } from '../image/image.ts';
import { silentLogger, type Logger } from '../logger.ts';
import { QUEUE_SLOTS_PREFIX } from '../redis/keys.ts';
import { RedisConnection } from '../redis/redis-connection.ts';
import type { Renderer, RenderRequest, RenderResult } from '../renderer/renderer.ts';
import type { PictureStore } from '../store/picture-store.ts';
import {
  QUEUE_PREFIX,
  RENDER_QUEUE_NAME,
  delay,
  renderJobId,
  type RenderJobData,
  type RenderJobResult,
} from './render-queue.ts';

export interface QueueRendererOptions {
  /** The Redis of the queue: a URL (the renderer opens its own connection and closes it). Needed unless `redis` is given. */
  redisUrl?: string;
  /**
   * A Redis connection to share (the caller closes it; its `unavailableAfterMs` is then the
   * connection's, and `unavailableAfterMs` below bounds each queue operation as a whole).
   * @defaultValue none: one opened for `redisUrl`
   */
  redis?: RedisConnection;
  /** Where originals are read from and results written to (the same Redis as the worker's, in practice). */
  pictures: PictureStore;
  /** Renders one person may have queued or running at once. @defaultValue 2 */
  maxJobsPerPerson?: number;
  /** How long a render may take once a worker has it, in seconds. @defaultValue 120 */
  renderTimeoutSeconds?: number;
  /** How long a job may wait for a worker before the person is told, in seconds. @defaultValue 300 */
  queueWaitSeconds?: number;
  /** Attempts per job (the first try included). @defaultValue 3 */
  attempts?: number;
  /** First retry delay in ms; doubles each retry. @defaultValue 1000 */
  backoffMs?: number;
  /** How often the queue position is refreshed while a job waits, in ms. @defaultValue 1000 */
  positionIntervalMs?: number;
  /** Time to answer "temporarily unavailable" when Redis does not respond, in ms. @defaultValue 1500 */
  unavailableAfterMs?: number;
  /** @defaultValue silent */
  logger?: Logger;
}

const COUNT_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
if n > tonumber(ARGV[1]) then
  redis.call('DECR', KEYS[1])
  return 0
end
return n`;

const RELEASE_SCRIPT = `
local n = redis.call('DECR', KEYS[1])
if n <= 0 then redis.call('DEL', KEYS[1]) end
return n`;

export class QueueRenderer implements Renderer {
  readonly name = 'queue';
  readonly #options: Required<Omit<QueueRendererOptions, 'logger' | 'redis' | 'redisUrl'>> & { logger: Logger };
  readonly #queue: Queue<RenderJobData, RenderJobResult>;
  readonly #events: QueueEvents;
  readonly #redis: RedisConnection;
  readonly #ownsRedis: boolean;
  readonly #listeners = new Map<string, Set<(data: unknown) => void>>();
  #eventsReady: Promise<unknown>;

  constructor(options: QueueRendererOptions) {
    if (!options.redisUrl && !options.redis)
      throw new TypeError('QueueRenderer needs redisUrl (REDIS_URL) or a RedisConnection.');
    const { redis, redisUrl, ...rest } = options;
    this.#options = {
      maxJobsPerPerson: 2,
      renderTimeoutSeconds: 120,
      queueWaitSeconds: 300,
      attempts: 3,
      backoffMs: 1000,
      positionIntervalMs: 1000,
      unavailableAfterMs: 1500,
      logger: silentLogger,
      ...rest,
    };
    this.#ownsRedis = !redis;
    this.#redis =
      redis ??
      new RedisConnection({
        url: redisUrl!,
        unavailableAfterMs: this.#options.unavailableAfterMs,
        logger: this.#options.logger,
      });
    // BullMQ reads the server's version once, when the queue connects; if Redis drops during that
    // read, the queue stays broken for good. The version is checked with the other settings
    // (`RedisConnection.checkServer`) instead, so the queue recovers whenever Redis does.
    // The queue's commands share the fail-fast command connection; its prefix is a hash tag.
    this.#queue = new Queue(RENDER_QUEUE_NAME, {
      connection: this.#redis.client,
      prefix: QUEUE_PREFIX,
      skipVersionCheck: true,
    });
    // Every waiting render listens for the queue's closing; hundreds may wait at once.
    this.#queue.setMaxListeners(0);
    this.#queue.on('error', (error) => this.#options.logger.warn({ err: error }, 'render queue: redis error'));
    // Blocking reads of queue events: BullMQ's own connection, `maxRetriesPerRequest: null`.
    this.#events = new QueueEvents(RENDER_QUEUE_NAME, {
      connection: this.#redis.bullmqConnection() as ConnectionOptions,
      prefix: QUEUE_PREFIX,
    });
    this.#events.setMaxListeners(0);
    this.#events.on('error', (error) => this.#options.logger.warn({ err: error }, 'render queue events: redis error'));
    this.#events.on('progress', ({ jobId, data }) => this.#listeners.get(jobId)?.forEach((listener) => listener(data)));
    this.#eventsReady = this.#events.waitUntilReady().catch(() => undefined);
    if (this.#ownsRedis) void this.#redis.checkServer(60_000).catch(() => {});
  }

  async render(request: RenderRequest): Promise<RenderResult> {
    const { pictures, logger } = this.#options;
    request.signal?.throwIfAborted();
    const imageHash = request.imageHash ?? (await this.#unavailableGuard(pictures.put(request.image)));
    const jobId = renderJobId(
      request.jobKey ?? `${imageHash}:${request.plan.target}:${request.intensity}:${request.seed}`,
    );
    const ownerKey = request.owner ? `${QUEUE_SLOTS_PREFIX}${request.owner}` : undefined;
    if (ownerKey) {
      const slot = await this.#unavailableGuard(
        () =>
          this.#redis.client.eval(
            COUNT_SCRIPT,
            1,
            ownerKey,
            this.#options.maxJobsPerPerson,
            this.#options.renderTimeoutSeconds * 3,
          ) as Promise<number>,
      );
      if (slot === 0) throw new UserError(ErrorCode.TooManyJobs, { limit: this.#options.maxJobsPerPerson });
    }
    try {
      // The event listener must be connected before the job exists; both within the same deadline.
      const job = await this.#unavailableGuard(async () => {
        await this.#eventsReady;
        return this.#queue.add(
          'render',
          { imageHash, plan: request.plan, intensity: request.intensity, seed: request.seed, owner: request.owner },
          {
            jobId,
            attempts: this.#options.attempts,
            backoff: { type: 'exponential', delay: this.#options.backoffMs },
            removeOnComplete: { age: 3600, count: 10_000 },
            removeOnFail: { age: 24 * 3600 },
          },
        );
      });
      const result = await this.#waitForResult(job, request);
      const image = await this.#unavailableGuard(pictures.get(result.hash));
      if (!image) throw new Error(`render job ${jobId} finished but its picture ${result.hash} is not in the store`);
      return image satisfies CheckedImage;
    } finally {
      if (ownerKey)
        await this.#redis.client
          .eval(RELEASE_SCRIPT, 1, ownerKey)
          .catch((error: unknown) => logger.warn({ err: error }, 'could not release a render slot'));
    }
  }

  async #waitForResult(job: Job<RenderJobData, RenderJobResult>, request: RenderRequest): Promise<RenderJobResult> {
    const jobId = job.id!;
    const listener = (data: unknown) => {
      const progress = data as { step?: number; steps?: number };
      if (typeof progress?.step === 'number' && typeof progress.steps === 'number')
        request.onProgress?.({ stage: 'rendering', step: progress.step, steps: progress.steps });
    };
    const listeners = this.#listeners.get(jobId) ?? new Set();
    listeners.add(listener);
    this.#listeners.set(jobId, listeners);
    let lastPosition = -1;
    const reportPosition = async () => {
      const position = await this.#queuePosition(jobId).catch(() => undefined);
      if (position !== undefined && position !== lastPosition) {
        lastPosition = position;
        request.onProgress?.({ stage: 'queued', position });
      }
    };
    // Events can be missed (a Redis restart between the worker's completion and our read), so
    // the job's own state is also looked at on every tick: the result arrives either way.
    let settle: { resolve: (result: RenderJobResult) => void; reject: (error: Error) => void } | undefined;
    const polled = new Promise<RenderJobResult>((resolve, reject) => (settle = { resolve, reject }));
    const checkFinished = async () => {
      // The state first, then the job: a job read before it completed holds no result yet.
      const state = await this.#queue.getJobState(jobId).catch(() => undefined);
      if (state !== 'completed' && state !== 'failed') return;
      const current = await Job.fromId<RenderJobData, RenderJobResult>(this.#queue, jobId).catch(() => undefined);
      if (state === 'completed' && current?.returnvalue) settle!.resolve(current.returnvalue);
      else if (state === 'failed' && current) settle!.reject(new Error(current.failedReason || 'the render failed'));
    };
    const tick = async () => {
      await reportPosition();
      await checkFinished();
    };
    void reportPosition(); // not awaited: the first position must not delay waiting for the result
    const timer = setInterval(() => void tick(), this.#options.positionIntervalMs);
    timer.unref();
    const deadlineMs = (this.#options.renderTimeoutSeconds + this.#options.queueWaitSeconds) * 1000;
    try {
      return await Promise.race([job.waitUntilFinished(this.#events, deadlineMs), polled]);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (/timed out|timeout/i.test(message)) {
        await job.remove().catch(() => {}); // gone if still waiting; a running job is left to fail on its own
        throw new UserError(ErrorCode.RenderTimeout, {}, { cause: error });
      }
      throw new Error(`render job ${jobId} failed: ${message}`, { cause: error });
    } finally {
      clearInterval(timer);
      listeners.delete(listener);
      if (listeners.size === 0) this.#listeners.delete(jobId);
    }
  }

  /** 1 when the job is next; 0 once a worker has it; undefined when it is not waiting. */
  async #queuePosition(jobId: string): Promise<number | undefined> {
    const waitKey = `${QUEUE_PREFIX}:${RENDER_QUEUE_NAME}:wait`;
    const client = this.#redis.client;
    const [index, length] = await Promise.all([client.lpos(waitKey, jobId), client.llen(waitKey)]);
    // Jobs are pushed on the left and taken from the right: the rightmost is next.
    return index === null ? undefined : length - index;
  }

  /**
   * Runs a queue operation by the policy of `RedisConnection` (it waits for the connection, and a
   * Redis that does not answer becomes `UnavailableError`), all of it within `unavailableAfterMs`.
   */
  async #unavailableGuard<T>(operation: Promise<T> | (() => Promise<T>)): Promise<T> {
    if (typeof operation !== 'function') operation.catch(() => {});
    return this.#redis.run('queue a render', () => (typeof operation === 'function' ? operation() : operation), {
      deadlineMs: this.#options.unavailableAfterMs,
    });
  }

  /** Counts of waiting and active jobs, for metrics. */
  async counts(): Promise<{ waiting: number; active: number }> {
    const counts = await this.#queue.getJobCounts('waiting', 'active');
    return { waiting: counts.waiting ?? 0, active: counts.active ?? 0 };
  }

  /**
   * Closes the queue's connections. A graceful close waits for Redis; while Redis is down it
   * would wait for ever (and hold up the process's shutdown), so it gets `unavailableAfterMs`,
   * then the connections are cut.
   */
  async close(): Promise<void> {
    const graceful = Promise.allSettled([this.#events.close(), this.#queue.close()]).then(() => true);
    const inTime = await Promise.race([graceful, delay(this.#options.unavailableAfterMs, false)]);
    if (this.#ownsRedis) await this.#redis.close();
    if (!inTime)
      await Promise.race([
        Promise.allSettled([this.#events.disconnect(), this.#queue.disconnect()]),
        delay(500, undefined),
      ]);
  }
}

/** Factory the engine calls for `MOODSHIFT_RENDERER=queue`; with `redis`, the engine's shared connection. */
export function createQueueRenderer(options: {
  config: AppConfig;
  pictures: PictureStore;
  redis?: RedisConnection;
  logger?: Logger;
}): QueueRenderer {
  const { config } = options;
  if (!config.redisUrl && !options.redis) throw new TypeError('MOODSHIFT_RENDERER=queue needs REDIS_URL.');
  return new QueueRenderer({
    ...(options.redis ? { redis: options.redis } : { redisUrl: config.redisUrl }),
    pictures: options.pictures,
    maxJobsPerPerson: config.maxJobsPerPerson,
    renderTimeoutSeconds: config.renderTimeoutSeconds,
    logger: options.logger,
  });
}
