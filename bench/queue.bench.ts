/**
 * Render queue benchmark: with a renderer that costs nothing, edits per second through the
 * BullMQ queue with one and two worker processes, and the latency the queue adds per edit
 * against the same renderer called in process (the baseline, measured in the same run).
 * Also Redis memory per waiting job and per conversation (pictures excluded).
 * Goals: ≤ 5 ms added at p50, ≥ 500 edits/s with two workers, < 2 KB per conversation.
 */
import { percentile } from './helpers/stats.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import sharp from 'sharp';
import type { CheckedImage } from '../src/image/image.ts';
import type { EditPlan } from '../src/planner/planner.ts';
import { QueueRenderer } from '../src/queue/queue-renderer.ts';
import type { Renderer, RenderRequest } from '../src/renderer/renderer.ts';
import { RedisConversationStore } from '../src/store/redis-store.ts';
import { emptyConversation } from '../src/store/conversation-store.ts';
import { startTestRedis } from '../test/helpers/redis-server.ts';

const LATENCY_SAMPLES = 300;
const THROUGHPUT_JOBS = 2000;
const IN_FLIGHT = 100;

async function startWorker(redisUrl: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', new URL('./helpers/null-worker.ts', import.meta.url).pathname],
    {
      env: { ...process.env, REDIS_URL: redisUrl, LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await once(child.stdout!, 'data');
  return child;
}

async function stopWorker(child: ChildProcess): Promise<void> {
  child.kill('SIGTERM');
  await once(child, 'exit');
}

const redis = await startTestRedis();
const store = new RedisConversationStore({ redis: redis.url });
const bytes = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#808080' } })
  .png()
  .toBuffer();
const image: CheckedImage = { bytes, format: 'png', width: 64, height: 64 };
const imageHash = await store.pictures.put(image);
const plan: EditPlan = {
  source: 'contentment',
  target: 'sadness',
  caption: 'a bright, warm picture with vivid colours',
  editedCaption: 'the same scene under an overcast sky, colours drained and cool',
  elements: ['scene', 'color'],
  instruction: 'Please change the emotion of this image from contentment to sadness',
  planner: 'knowledge',
};
let counter = 0;
const request = (): RenderRequest => ({
  image,
  imageHash,
  plan,
  intensity: 0.6,
  seed: 1,
  jobKey: `bench:${process.pid}:${++counter}`,
});

async function latencies(renderer: Renderer, samples: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const start = performance.now();
    await renderer.render(request());
    times.push(performance.now() - start);
  }
  return times;
}

async function throughput(renderer: Renderer, jobs: number): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next++ < jobs) await renderer.render(request());
    }),
  );
  return jobs / ((performance.now() - start) / 1000);
}

const inProcess: Renderer = { name: 'null', render: async (r) => r.image };
const queue = new QueueRenderer({
  redisUrl: redis.url,
  pictures: store.pictures,
  positionIntervalMs: 60_000,
  unavailableAfterMs: 30_000,
});

const workers = [await startWorker(redis.url)];
await latencies(queue, 30); // warm-up
const baseline = await latencies(inProcess, LATENCY_SAMPLES);
const queued = await latencies(queue, LATENCY_SAMPLES);
const oneWorker = await throughput(queue, THROUGHPUT_JOBS);
workers.push(await startWorker(redis.url));
await throughput(queue, 200); // let the second worker warm up
const twoWorkers = await throughput(queue, THROUGHPUT_JOBS);
await Promise.all(workers.map(stopWorker));

// Memory per waiting job: add jobs with no worker running and read Redis's own accounting.
const client = new Redis(redis.url);
const before = Number((await client.info('memory')).match(/used_memory:(\d+)/)![1]);
const waitingJobs = 1000;
const submitter = new QueueRenderer({
  redisUrl: redis.url,
  pictures: store.pictures,
  positionIntervalMs: 60_000,
  renderTimeoutSeconds: 1,
  unavailableAfterMs: 30_000,
});
const pending = Array.from({ length: waitingJobs }, () => submitter.render(request()).catch(() => undefined));
while ((await client.llen('moodshift:render:wait')) < waitingJobs) await new Promise((r) => setTimeout(r, 50));
const after = Number((await client.info('memory')).match(/used_memory:(\d+)/)![1]);
const perJob = (after - before) / waitingJobs;

// Memory per conversation: a photo and five edits, as the Editor writes them, with their message links.
const key = { platform: 'bench', chat: 'c1', user: 'u1' };
await store.update(key, (conversation) => {
  Object.assign(conversation, emptyConversation(key));
  const ids = ['root', 'e1', 'e2', 'e3', 'e4', 'e5'];
  ids.forEach((id, i) => {
    conversation.edits[id] = {
      id,
      parent: i === 0 ? undefined : ids[i - 1],
      originalHash: imageHash,
      imageHash,
      ...(i === 0
        ? {}
        : {
            target: plan.target,
            source: plan.source,
            intensity: 0.6,
            elements: plan.elements,
            instruction: plan.instruction,
            plan,
            seed: 123456789,
          }),
      messageIds: [`${1000 + i}`],
      createdAt: Date.now(),
    };
  });
  conversation.cursor = 'e5';
});
for (let i = 0; i < 6; i++) await store.linkMessage(key, ['root', 'e1', 'e2', 'e3', 'e4', 'e5'][i]!, `${1000 + i}`);
let perConversation = 0;
for (const name of await client.keys('moodshift:conv:*').then((a) => a.concat()))
  perConversation += Number(await client.memory('USAGE', name));
for (const name of await client.keys('moodshift:msg:bench:*'))
  perConversation += Number(await client.memory('USAGE', name));

const p50Added = percentile(queued, 50) - percentile(baseline, 50);
const rows = [
  ['in-process renderer p50 (baseline)', `${percentile(baseline, 50).toFixed(3)} ms`, '1.00×'],
  [
    'through the queue p50',
    `${percentile(queued, 50).toFixed(3)} ms`,
    `${(percentile(queued, 50) / percentile(baseline, 50)).toFixed(0)}×`,
  ],
  ['through the queue p99', `${percentile(queued, 99).toFixed(3)} ms`, ''],
  ['added per edit at p50 (goal ≤ 5 ms)', `${p50Added.toFixed(3)} ms`, `${(p50Added / 5).toFixed(2)}× goal`],
  ['edits/s, one worker', oneWorker.toFixed(0), '1.00×'],
  ['edits/s, two workers (goal ≥ 500)', twoWorkers.toFixed(0), `${(twoWorkers / oneWorker).toFixed(2)}× one worker`],
  ['Redis bytes per waiting job', perJob.toFixed(0), ''],
  [
    'Redis bytes per conversation, 5 edits + links (goal < 2048)',
    String(perConversation),
    `${(perConversation / 2048).toFixed(2)}× goal`,
  ],
];
console.log('| measure | value | ratio |\n| --- | --- | --- |');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
console.log(
  JSON.stringify({
    bench: 'queue',
    baselineP50Ms: percentile(baseline, 50),
    queueP50Ms: percentile(queued, 50),
    queueP99Ms: percentile(queued, 99),
    addedP50Ms: p50Added,
    editsPerSecondOneWorker: oneWorker,
    editsPerSecondTwoWorkers: twoWorkers,
    redisBytesPerWaitingJob: perJob,
    redisBytesPerConversation: perConversation,
  }),
);
await submitter.close();
await Promise.allSettled(pending);
await queue.close();
client.disconnect();
await store.close();
await redis.dispose();
process.exit(0);
