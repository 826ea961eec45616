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
import type { Redis } from 'ioredis';
import { once } from 'node:events';
import type { AppConfig } from '../config.ts';
import { ErrorCode, UnavailableError, UserError } from '../errors.ts';
import type { CheckedImage } from '../image/image.ts';
import { silentLogger, type Logger } from '../logger.ts';
import type { Renderer, RenderRequest, RenderResult } from '../renderer/renderer.ts';
import type { ConversationStore } from '../store/conversation-store.ts';
import {
  QUEUE_PREFIX,
  RENDER_QUEUE_NAME,
  blockingRedisOptions,
  createFailFastRedis,
  delay,
  renderJobId,
  type RenderJobData,
  type RenderJobResult,
} from './render-queue.ts';
import { warnAboutRedisSettings } from './redis-settings.ts';

export interface QueueRendererOptions {
  /** The Redis of the queue. */
  redisUrl: string;
  /** Where originals are read from and results written to (the same Redis, in practice). */
  store: ConversationStore;
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
  readonly #options: Required<Omit<QueueRendererOptions, 'logger'>> & { logger: Logger };
  readonly #queue: Queue<RenderJobData, RenderJobResult>;
  readonly #events: QueueEvents;
  readonly #redis: Redis;
  readonly #listeners = new Map<string, Set<(data: unknown) => void>>();
  #eventsReady: Promise<unknown>;

  constructor(options: QueueRendererOptions) {
    if (!options.redisUrl) throw new TypeError('QueueRenderer needs redisUrl: set REDIS_URL.');
    this.#options = {
      maxJobsPerPerson: 2,
      renderTimeoutSeconds: 120,
      queueWaitSeconds: 300,
      attempts: 3,
      backoffMs: 1000,
      positionIntervalMs: 1000,
      unavailableAfterMs: 1500,
      logger: silentLogger,
      ...options,
    };
    this.#redis = createFailFastRedis(options.redisUrl);
    // BullMQ reads the server's version once, when the queue connects; if Redis drops during that
    // read, the queue stays broken for good. The version is checked with the other settings
    // below instead (`redisSettingsWarnings`), so the queue recovers whenever Redis does.
    this.#queue = new Queue(RENDER_QUEUE_NAME, { connection: this.#redis, prefix: QUEUE_PREFIX, skipVersionCheck: true });
    // Every waiting render listens for the queue's closing; hundreds may wait at once.
    this.#queue.setMaxListeners(0);
    this.#queue.on('error', (error) => this.#options.logger.warn({ err: error }, 'render queue: redis error'));
    this.#events = new QueueEvents(RENDER_QUEUE_NAME, { connection: blockingRedisOptions(options.redisUrl) as ConnectionOptions, prefix: QUEUE_PREFIX });
    this.#events.setMaxListeners(0);
    this.#events.on('error', (error) => this.#options.logger.warn({ err: error }, 'render queue events: redis error'));
    this.#events.on('progress', ({ jobId, data }) => this.#listeners.get(jobId)?.forEach((listener) => listener(data)));
    this.#eventsReady = this.#events.waitUntilReady().catch(() => undefined);
    // Commands fail at once until the client is ready (no offline queue), so the look waits for it.
    this.#redis.once('ready', () => void warnAboutRedisSettings(this.#redis, this.#options.logger).catch(() => {}));
  }

  async render(request: RenderRequest): Promise<RenderResult> {
    const { store, logger } = this.#options;
    request.signal?.throwIfAborted();
    const imageHash = request.imageHash ?? (await this.#unavailableGuard(store.putImage(request.image)));
    const jobId = renderJobId(request.jobKey ?? `${imageHash}:${request.plan.target}:${request.intensity}:${request.seed}`);
    const ownerKey = request.owner ? `${QUEUE_PREFIX}:active:${request.owner}` : undefined;
    if (ownerKey) {
      const slot = await this.#unavailableGuard(() =>
        this.#redis.eval(COUNT_SCRIPT, 1, ownerKey, this.#options.maxJobsPerPerson, this.#options.renderTimeoutSeconds * 3) as Promise<number>,
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
      const image = await this.#unavailableGuard(store.getImage(result.hash));
      if (!image) throw new Error(`render job ${jobId} finished but its picture ${result.hash} is not in the store`);
      return image satisfies CheckedImage;
    } finally {
      if (ownerKey) await this.#redis.eval(RELEASE_SCRIPT, 1, ownerKey).catch((error: unknown) => logger.warn({ err: error }, 'could not release a render slot'));
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
    const [index, length] = await Promise.all([this.#redis.lpos(waitKey, jobId), this.#redis.llen(waitKey)]);
    // Jobs are pushed on the left and taken from the right: the rightmost is next.
    return index === null ? undefined : length - index;
  }

  /** Turns a Redis that does not answer into UnavailableError within `unavailableAfterMs`. */
  async #unavailableGuard<T>(operation: Promise<T> | (() => Promise<T>)): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new UnavailableError('Redis did not answer in time', 'redis')),
        this.#options.unavailableAfterMs,
      );
    });
    let running: Promise<T> | undefined;
    try {
      // The client may still be (re)connecting: commands wait for it, within the same deadline.
      const run = async () => {
        if (this.#redis.status !== 'ready') await once(this.#redis, 'ready');
        running = typeof operation === 'function' ? operation() : operation;
        return running;
      };
      return await Promise.race([run(), timeout]);
    } catch (error) {
      if (error instanceof UserError || error instanceof UnavailableError) throw error;
      if (this.#redis.status !== 'ready' || isConnectionError(error))
        throw new UnavailableError('Redis is not reachable', 'redis', { cause: error });
      throw error;
    } finally {
      clearTimeout(timer);
      if (typeof operation !== 'function') operation.catch(() => {});
      (running as Promise<T> | undefined)?.catch(() => {});
    }
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
    this.#redis.disconnect();
    if (!inTime) await Promise.race([Promise.allSettled([this.#events.disconnect(), this.#queue.disconnect()]), delay(500, undefined)]);
  }
}

/** Whether a Redis command failed because the connection did: ioredis's errors for a closed, refused or dropped connection. */
function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  // A command caught by a dropped connection fails once retried (`maxRetriesPerRequest`), even when the client is ready again by then.
  if (error.name === 'MaxRetriesPerRequestError') return true;
  return /ECONNREFUSED|ECONNRESET|Connection is closed|Stream isn't writeable|enableOfflineQueue|EPIPE|ETIMEDOUT|Command timed out/i.test(error.message);
}

/** Factory the engine calls for `MOODSHIFT_RENDERER=queue`. */
export function createQueueRenderer(options: { config: AppConfig; store: ConversationStore; logger?: Logger }): QueueRenderer {
  const { config } = options;
  if (!config.redisUrl) throw new TypeError('MOODSHIFT_RENDERER=queue needs REDIS_URL.');
  return new QueueRenderer({
    redisUrl: config.redisUrl,
    store: options.store,
    maxJobsPerPerson: config.maxJobsPerPerson,
    renderTimeoutSeconds: config.renderTimeoutSeconds,
    logger: options.logger,
  });
}
