/**
 * The render queue once more, on a three-primary Redis Cluster: the bot's queue renderer and real
 * `moodshift worker` processes reach it through `redis+cluster://`, BullMQ's keys carry the
 * `{moodshift}` hash tag, and the pictures travel through the cluster store.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, afterEach, before, describe, it } from 'node:test';
import { Cluster } from 'ioredis';
import sharp from 'sharp';
import { ErrorCode, UserError } from '../../src/errors.ts';
import type { CheckedImage } from '../../src/image/image.ts';
import { KnowledgePlanner } from '../../src/planner/knowledge-planner.ts';
import type { EditPlan } from '../../src/planner/planner.ts';
import { QueueRenderer } from '../../src/queue/queue-renderer.ts';
import { QUEUE_PREFIX } from '../../src/queue/render-queue.ts';
import { QUEUE_SLOTS_PREFIX } from '../../src/redis/keys.ts';
import { RedisConnection } from '../../src/redis/redis-connection.ts';
import type { ConversationStore } from '../../src/store/conversation-store.ts';
import { createConversationStore } from '../../src/store/create-store.ts';
import type { Progress } from '../../src/turn.ts';
import { redisClusterTestOptions, startTestRedisCluster, type TestRedisCluster } from '../helpers/redis-cluster.ts';
import { completed, completions, started, startWorker, type WorkerProcess } from './worker-process.ts';

describe('render queue on BullMQ on a Redis Cluster', redisClusterTestOptions(), () => {
  let cluster: TestRedisCluster;
  let connection: RedisConnection;
  let store: ConversationStore;
  let image: CheckedImage;
  let imageHash: string;
  let plan: EditPlan;
  const workers: WorkerProcess[] = [];
  const renderers: QueueRenderer[] = [];
  let jobCounter = 0;
  const jobKey = () => `test:cluster:${Date.now()}-${++jobCounter}`;

  const renderer = (options: Partial<ConstructorParameters<typeof QueueRenderer>[0]> = {}) => {
    const made = new QueueRenderer({
      redisUrl: cluster.url,
      pictures: store.pictures,
      positionIntervalMs: 100,
      unavailableAfterMs: 10_000,
      ...options,
    });
    renderers.push(made);
    return made;
  };
  const worker = async (env: Record<string, string> = {}) => {
    const made = startWorker(cluster.url, env);
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

  before(async () => {
    cluster = await startTestRedisCluster();
    connection = new RedisConnection({ url: cluster.url, unavailableAfterMs: 5000 });
    store = createConversationStore({ redis: connection });
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
    await store?.close();
    await connection?.close();
    await cluster?.dispose();
  });

  it('carries renders from the bot to two worker processes and back, with progress in order, each once', async () => {
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
      assert.ok(!result.bytes.equals(image.bytes), 'the picture was edited');
    }
    const steps = progress.filter((p) => p.stage === 'rendering').map((p) => (p as { step: number }).step);
    assert.deepEqual(
      steps,
      [...steps].sort((a, b) => a - b),
      'rendering steps arrive in order',
    );
    assert.equal(await completions(workers, 4), 4, 'each render ran exactly once');
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
    assert.equal(only.logs.filter(completed).length, 1);
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
      owner: 'test:carol',
    });
    // The second asks only once the first holds the person's slot (a fixed wait loses that race on a loaded machine).
    for (let waited = 0; (await connection.client.get(`${QUEUE_SLOTS_PREFIX}test:carol`)) !== '1'; waited += 20) {
      assert.ok(waited < 10_000, 'the first render took its slot');
      await new Promise((r) => setTimeout(r, 20));
    }
    await assert.rejects(
      queue.render({ image, imageHash, plan, intensity: 0.6, seed: 2, jobKey: jobKey(), owner: 'test:carol' }),
      (error: unknown) => error instanceof UserError && error.code === ErrorCode.TooManyJobs,
    );
    await first;
  });

  it('keeps every key of the queue in one hash slot, the one of its {moodshift} prefix', async () => {
    const client = connection.client as Cluster;
    const found: string[] = [];
    for (const node of client.nodes('master')) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', `${QUEUE_PREFIX}:render:*`, 'COUNT', 1000);
        cursor = next;
        found.push(...keys);
      } while (cursor !== '0');
    }
    assert.ok(found.length > 3, `the queue wrote keys (${found.length})`);
    const expected = (await client.cluster('KEYSLOT', QUEUE_PREFIX)) as number;
    for (const key of found) assert.equal(await client.cluster('KEYSLOT', key), expected, key);
  });
});
