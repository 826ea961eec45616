/**
 * The render queue against a real redis-server and real `moodshift worker` processes:
 * kill -9, SIGTERM and Redis restarts are real.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, afterEach, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { ErrorCode, UnavailableError, UserError } from '../../src/errors.ts';
import type { CheckedImage } from '../../src/image/image.ts';
import { KnowledgePlanner } from '../../src/planner/knowledge-planner.ts';
import type { EditPlan } from '../../src/planner/planner.ts';
import { QueueRenderer } from '../../src/queue/queue-renderer.ts';
import { isOlderVersion, redisSettingsWarnings } from '../../src/redis/redis-settings.ts';
import { Redis } from 'ioredis';
import { createConversationStore } from '../../src/store/create-store.ts';
import type { ConversationStore } from '../../src/store/conversation-store.ts';
import type { Progress } from '../../src/turn.ts';
import { startFlakyProxy } from '../helpers/flaky-proxy.ts';
import { redisTestOptions, startTestRedis, type TestRedis } from '../helpers/redis-server.ts';
import { completed, completions, started, startWorker, type WorkerProcess } from './worker-process.ts';

describe('render queue on BullMQ', redisTestOptions(), () => {
  let redis: TestRedis;
  let store: ConversationStore;
  let image: CheckedImage;
  let imageHash: string;
  let plan: EditPlan;
  const workers: WorkerProcess[] = [];
  const renderers: QueueRenderer[] = [];

  const renderer = (options: Partial<ConstructorParameters<typeof QueueRenderer>[0]> = {}) => {
    // Redis is slow on a loaded test machine; only the outage test asks for the 2-second answer.
    const made = new QueueRenderer({
      redisUrl: redis.url,
      pictures: store.pictures,
      positionIntervalMs: 100,
      unavailableAfterMs: 10_000,
      ...options,
    });
    renderers.push(made);
    return made;
  };
  const worker = async (env: Record<string, string> = {}) => {
    const made = startWorker(redis.url, env);
    workers.push(made);
    await made.waitForLog(started);
    return made;
  };
  const stopWorkers = async () => {
    for (const w of workers.splice(0)) {
      if (w.child.exitCode === null) w.child.kill('SIGKILL');
      await w.exited;
    }
  };
  let jobCounter = 0;
  const jobKey = () => `test:conversation:${Date.now()}-${++jobCounter}`;
  /**
   * Renders with `queue` until Redis answers again. The clients reconnect with a backoff of up
   * to 2 s, so the first renders after Redis is back may still be refused as unavailable; any
   * other error, or no render within 15 s, fails the test.
   */
  const renderOnceRedisIsBack = async (queue: QueueRenderer, seed: number): Promise<CheckedImage> => {
    const backAt = Date.now();
    while (Date.now() - backAt < 15_000) {
      const result = await queue
        .render({ image, imageHash, plan, intensity: 0.6, seed, jobKey: jobKey() })
        .catch(async (error: unknown) => {
          if (!(error instanceof UnavailableError)) throw error;
          await new Promise((r) => setTimeout(r, 250));
          return undefined;
        });
      if (result) return result;
    }
    assert.fail(`renders are still refused ${Date.now() - backAt} ms after Redis came back`);
  };

  before(async () => {
    redis = await startTestRedis({ appendOnly: true });
    store = createConversationStore({ redisUrl: redis.url });
    const bytes = await sharp(readFileSync(new URL('../fixtures/images/coffee.png', import.meta.url)))
      .resize(96)
      .png()
      .toBuffer();
    const meta = await sharp(bytes).metadata();
    image = { bytes, format: 'png', width: meta.width!, height: meta.height! };
    imageHash = await store.pictures.put(image);
    plan = await new KnowledgePlanner().plan({ image, target: 'sadness', intensity: 0.6 });
  });

  afterEach(stopWorkers);

  after(async () => {
    await stopWorkers();
    for (const r of renderers) await r.close();
    await store.close();
    await redis.dispose();
  });

  it('carries renders from the bot to two worker processes and back, with progress in order', async () => {
    await Promise.all([worker(), worker()]);
    const progress: Progress[] = [];
    const queue = renderer();
    const results = await Promise.all(
      [1, 2, 3, 4].map((seed) =>
        queue.render({
          image,
          imageHash,
          plan,
          intensity: 0.6,
          seed,
          jobKey: jobKey(),
          onProgress: seed === 1 ? (p) => progress.push(p) : undefined,
        }),
      ),
    );
    for (const result of results) {
      assert.equal(result.width, image.width);
      assert.equal(result.format, 'png');
      assert.ok(!result.bytes.equals(image.bytes), 'the picture was edited');
    }
    const steps = progress.filter((p) => p.stage === 'rendering').map((p) => (p as { step: number }).step);
    assert.deepEqual(
      steps,
      [...steps].sort((a, b) => a - b),
      'rendering steps arrive in order',
    );
    assert.equal(await completions(workers, 4), 4, 'each render ran exactly once');
    await stopWorkers();
  });

  it('finishes a job on another worker when one is killed mid-job, with one result only', async () => {
    const slow = { MOODSHIFT_TEST_RENDER_DELAY_MS: '3000' };
    const first = await worker(slow);
    const progress: Progress[] = [];
    const queue = renderer();
    const pending = queue.render({
      image,
      imageHash,
      plan,
      intensity: 0.8,
      seed: 7,
      jobKey: jobKey(),
      onProgress: (p) => progress.push(p),
    });
    // Wait until the first worker is rendering, then kill it without warning.
    while (!progress.some((p) => p.stage === 'rendering')) await new Promise((r) => setTimeout(r, 50));
    first.child.kill('SIGKILL');
    await first.exited;
    const second = await worker(slow);
    const result = await pending;
    assert.equal(result.width, image.width);
    assert.equal(await completions([first, second], 1), 1, 'one result only');
    assert.equal(second.logs.filter(completed).length, 1, 'the job completed on the other worker');
    await stopWorkers();
  });

  it('collapses a repeated submission of the same edit into one job', async () => {
    const only = await worker({ MOODSHIFT_TEST_RENDER_DELAY_MS: '500' });
    const queue = renderer();
    const key = jobKey();
    const [a, b] = await Promise.all([
      queue.render({ image, imageHash, plan, intensity: 0.6, seed: 3, jobKey: key }),
      queue.render({ image, imageHash, plan, intensity: 0.6, seed: 3, jobKey: key }),
    ]);
    assert.ok(a.bytes.equals(b.bytes));
    assert.equal(await completions([only], 1), 1);
    await stopWorkers();
  });

  it('limits the renders one person may have running, with a friendly refusal', async () => {
    await worker({ MOODSHIFT_TEST_RENDER_DELAY_MS: '1500' });
    const queue = renderer({ maxJobsPerPerson: 1 });
    const first = queue.render({
      image,
      imageHash,
      plan,
      intensity: 0.6,
      seed: 1,
      jobKey: jobKey(),
      owner: 'test:alice',
    });
    await new Promise((r) => setTimeout(r, 200));
    await assert.rejects(
      queue.render({ image, imageHash, plan, intensity: 0.6, seed: 2, jobKey: jobKey(), owner: 'test:alice' }),
      (error: unknown) => error instanceof UserError && error.code === ErrorCode.TooManyJobs,
    );
    // Someone else is not held up by alice's limit.
    const bob = queue.render({ image, imageHash, plan, intensity: 0.6, seed: 2, jobKey: jobKey(), owner: 'test:bob' });
    await Promise.all([first, bob]);
    // Once alice's render is done she may start another.
    await queue.render({ image, imageHash, plan, intensity: 0.6, seed: 3, jobKey: jobKey(), owner: 'test:alice' });
    await stopWorkers();
  });

  it('lets a worker given SIGTERM mid-job finish that job, then exit', async () => {
    const only = await worker({ MOODSHIFT_TEST_RENDER_DELAY_MS: '2000' });
    const progress: Progress[] = [];
    const queue = renderer();
    const pending = queue.render({
      image,
      imageHash,
      plan,
      intensity: 0.6,
      seed: 11,
      jobKey: jobKey(),
      onProgress: (p) => progress.push(p),
    });
    while (!progress.some((p) => p.stage === 'rendering')) await new Promise((r) => setTimeout(r, 50));
    only.child.kill('SIGTERM');
    const result = await pending;
    assert.equal(result.width, image.width);
    assert.equal(await only.exited, 0, 'the worker exits cleanly after its job');
    assert.equal(await completions([only], 1), 1);
    workers.splice(workers.indexOf(only), 1);
  });

  it('loses no waiting job when Redis is killed and restarted with append-only persistence', async () => {
    const queue = renderer({ unavailableAfterMs: 5000 });
    const pending = [21, 22, 23].map((seed) =>
      queue.render({ image, imageHash, plan, intensity: 0.6, seed, jobKey: jobKey() }),
    );
    // No worker yet: the jobs wait in Redis. Give the submissions a moment to land.
    await new Promise((r) => setTimeout(r, 500));
    await redis.kill();
    await redis.restart();
    const w = await worker();
    const results = await Promise.all(pending);
    assert.equal(results.length, 3);
    assert.equal(await completions([w], 3), 3);
    await stopWorkers();
  });

  it('closes within seconds while Redis is down, so a shutdown is not held up', async () => {
    const queue = renderer({ unavailableAfterMs: 1500 });
    await queue.counts();
    await redis.stop();
    try {
      const startedAt = Date.now();
      const closed = await Promise.race([
        queue.close().then(() => true),
        new Promise<false>((r) => setTimeout(() => r(false), 8000)),
      ]);
      assert.ok(
        closed && Date.now() - startedAt < 5000,
        closed ? `closed after ${Date.now() - startedAt} ms` : 'still closing after 8 s',
      );
    } finally {
      await redis.restart();
    }
  });

  it('lets a worker given SIGTERM while Redis is down exit within seconds', async () => {
    const idle = await worker();
    await redis.stop();
    try {
      idle.child.kill('SIGTERM');
      const code = await Promise.race([
        idle.exited,
        new Promise<'running'>((r) => setTimeout(() => r('running'), 15_000)),
      ]);
      assert.equal(code, 0, 'the worker exited cleanly');
    } finally {
      await redis.restart();
    }
  });

  it('warns at start about Redis settings that lose queued renders', async () => {
    const loose = await startTestRedis({ extraArgs: ['--maxmemory-policy', 'allkeys-lru', '--appendonly', 'no'] });
    const client = new Redis(loose.url);
    const careful = new Redis(redis.url);
    try {
      const warned = startWorker(loose.url);
      workers.push(warned);
      await warned.waitForLog((line) => /maxmemory-policy allkeys-lru/.test(String(line.msg)));
      await warned.waitForLog(started);
      const warnings = await redisSettingsWarnings(client);
      assert.equal(warnings.length, 2, warnings.join(' / '));
      assert.match(warnings[0]!, /maxmemory-policy allkeys-lru: set it to noeviction/);
      assert.match(warnings[1]!, /appendonly yes/);
      assert.deepEqual(
        await redisSettingsWarnings(careful),
        [],
        "the suite's Redis (append-only, noeviction, a recent version) is fine",
      );
    } finally {
      client.disconnect();
      careful.disconnect();
      await loose.dispose();
    }
    assert.equal(isOlderVersion('4.0.14', '5.0.0'), true);
    assert.equal(isOlderVersion('5.0.0', '5.0.0'), false);
    assert.equal(isOlderVersion('7.2', '5.0.0'), false);
    assert.equal(isOlderVersion('5.0.0', '5.0.1'), true);
  });

  it('recovers when Redis drops just as the renderer has connected', async () => {
    // BullMQ reads the server's version once on connecting; a drop during that read used to
    // leave the queue refusing every render until the process restarted.
    const proxy = await startFlakyProxy({ host: '127.0.0.1', port: redis.port });
    try {
      await worker();
      const queue = renderer({ redisUrl: proxy.url, unavailableAfterMs: 1500 });
      await proxy.recovered;
      const result = await renderOnceRedisIsBack(queue, 8);
      assert.equal(result.width, image.width);
    } finally {
      await proxy.close();
      await stopWorkers();
    }
  });

  it('says "temporarily unavailable" within 2 seconds while Redis is down, and recovers by itself', async () => {
    const queue = renderer({ unavailableAfterMs: 1500 });
    await redis.stop();
    const startedAt = Date.now();
    await assert.rejects(
      queue.render({ image, imageHash, plan, intensity: 0.6, seed: 5, jobKey: jobKey() }),
      (error: unknown) => error instanceof UnavailableError,
    );
    assert.ok(Date.now() - startedAt < 2000, `answered after ${Date.now() - startedAt} ms`);
    await redis.restart();
    await worker();
    // The same renderer (and store) reconnect by themselves.
    await renderOnceRedisIsBack(queue, 6);
    await stopWorkers();
  });
});
