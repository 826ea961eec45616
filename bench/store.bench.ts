/**
 * @module Conversation store benchmark: Redis memory per conversation (a photo and a typical
 * five-edit history, pictures excluded; goal under 2 KB) and update latency of the memory and
 * Redis stores, against the floor of one plain GET + SET round trip on the same Redis.
 *
 * Run: `node --import tsx bench/store.bench.ts`. Needs `redis-server` on the PATH (it starts its own
 * on a free port); without it only the memory store is measured.
 */
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Redis } from 'ioredis';
import type { EditPlan } from '../src/planner/planner.ts';
import type { Conversation, ConversationStore, EditRecord } from '../src/store/conversation-store.ts';
import { storeKeys } from '../src/redis/keys.ts';
import { imageContentHash } from '../src/store/image-hash.ts';
import { MemoryConversationStore } from '../src/store/memory-store.ts';
import { RedisConversationStore } from '../src/store/redis-store.ts';
import type { ConversationKey } from '../src/turn.ts';
import { findRedisServer, startTestRedis } from '../test/helpers/redis-server.ts';

const GOAL_BYTES = 2048;
const UPDATES = 2000;
const WARMUP = 200;

const key = (): ConversationKey => ({
  platform: 'telegram',
  chat: '-1001234567890',
  user: String(100000000 + Math.floor(Math.random() * 1e8)),
});

/** What the Editor stores: a photo, then five edits with their plans, each shown by one message. */
function typicalHistory(conversation: Conversation): void {
  const original = imageContentHash(Buffer.from(`photo ${randomUUID()}`));
  const steps: { target: EditPlan['target']; intensity: number }[] = [
    { target: 'sadness', intensity: 0.6 },
    { target: 'sadness', intensity: 0.8 },
    { target: 'fear', intensity: 0.6 },
    { target: 'fear', intensity: 0.3 },
    { target: 'contentment', intensity: 0.6 },
  ];
  const now = Date.now();
  const root: EditRecord = {
    id: 'e' + randomUUID().slice(0, 8),
    originalHash: original,
    imageHash: original,
    messageIds: ['4211'],
    createdAt: now,
  };
  conversation.edits[root.id] = root;
  let parent = root.id;
  steps.forEach(({ target, intensity }, i) => {
    const instruction = `Please change the emotion of this image from contentment to ${target}`;
    const plan: EditPlan = {
      source: 'contentment',
      target,
      caption: 'a bright, warm photo with soft daylight and moderate colour',
      editedCaption: `the same scene with ${target === 'sadness' ? 'a grey, overcast light and muted, cold colours' : target === 'fear' ? 'deep shadows, a dark vignette and a cold green cast' : 'soft golden light and gentle warm colours'}`,
      elements: ['color', 'scene'],
      instruction,
      planner: 'knowledge',
      sourceDistribution: {
        amusement: 0.081,
        awe: 0.112,
        contentment: 0.304,
        excitement: 0.121,
        anger: 0.052,
        disgust: 0.041,
        fear: 0.118,
        sadness: 0.171,
      },
    };
    const edit: EditRecord = {
      id: 'e' + randomUUID().slice(0, 8),
      parent,
      originalHash: original,
      imageHash: imageContentHash(Buffer.from(`edit ${i} ${randomUUID()}`)),
      target,
      source: 'contentment',
      intensity,
      elements: ['color', 'scene'],
      instruction,
      plan,
      seed: Math.floor(Math.random() * 2 ** 31),
      messageIds: [String(4212 + i)],
      createdAt: now + i + 1,
    };
    conversation.edits[edit.id] = edit;
    parent = edit.id;
  });
  conversation.cursor = parent;
}

async function timeUpdates(store: ConversationStore): Promise<{ meanUs: number; p50Us: number; p99Us: number }> {
  const k = key();
  await store.update(k, typicalHistory);
  const samples: number[] = [];
  for (let i = 0; i < WARMUP + UPDATES; i += 1) {
    const started = process.hrtime.bigint();
    await store.update(k, (c) => {
      // Edit records are values: a change is a changed copy.
      c.edits[c.cursor!] = { ...c.edits[c.cursor!]!, seed: i };
    });
    if (i >= WARMUP) samples.push(Number(process.hrtime.bigint() - started) / 1000);
  }
  return summarise(samples);
}

async function timeFloor(client: Redis, prefix: string): Promise<{ meanUs: number; p50Us: number; p99Us: number }> {
  const conversation: Conversation = { key: key(), edits: {}, redo: [], updatedAt: Date.now() };
  typicalHistory(conversation);
  const value = JSON.stringify(conversation);
  const k = `${prefix}floor`;
  const samples: number[] = [];
  for (let i = 0; i < WARMUP + UPDATES; i += 1) {
    const started = process.hrtime.bigint();
    await client.get(k);
    await client.set(k, value, 'EX', 3600);
    if (i >= WARMUP) samples.push(Number(process.hrtime.bigint() - started) / 1000);
  }
  return summarise(samples);
}

function summarise(samples: number[]): { meanUs: number; p50Us: number; p99Us: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { meanUs: samples.reduce((a, b) => a + b, 0) / samples.length, p50Us: at(0.5), p99Us: at(0.99) };
}

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

const memoryStore = new MemoryConversationStore();
const memory = await timeUpdates(memoryStore);
await memoryStore.close();

const rows: string[][] = [['measure', 'value', 'ratio']];
const json: Record<string, unknown> = {
  bench: 'store',
  cpus: availableParallelism(),
  updates: UPDATES,
  memoryUpdate: memory,
};

if (!findRedisServer()) {
  console.warn('*** redis-server not found: only the memory store was measured ***');
  rows.push(
    ['memory update, median (µs)', String(round(memory.p50Us)), ''],
    ['memory update, p99 (µs)', String(round(memory.p99Us)), ''],
  );
  json.redis = 'skipped: no redis-server';
} else {
  const server = await startTestRedis();
  const client = new Redis(server.url);
  // A private server: the production prefix, so key names weigh what they weigh in production.
  const compressed = new RedisConversationStore({ redis: server.url });
  const plain = new RedisConversationStore({ redis: server.url, keyPrefix: 'plain:', compress: false });
  try {
    const footprint = async (store: RedisConversationStore, prefix: string) => {
      const k = key();
      await store.update(k, typicalHistory);
      const conversation = (await store.load(k))!;
      for (const edit of Object.values(conversation.edits)) {
        for (const messageId of edit.messageIds) await store.linkMessage(k, edit.id, messageId);
      }
      const usage = async (redisKey: string) => Number(await client.call('MEMORY', 'USAGE', redisKey, 'SAMPLES', '0'));
      const conversationBytes = await usage(storeKeys(prefix).conversation(k));
      const linkKeys = await client.keys(`${prefix}msg:*`);
      let linkBytes = 0;
      for (const linkKey of linkKeys) linkBytes += await usage(linkKey);
      return {
        records: Object.keys(conversation.edits).length,
        links: linkKeys.length,
        conversationBytes,
        linkBytes,
        totalBytes: conversationBytes + linkBytes,
      };
    };
    const small = await footprint(compressed, 'moodshift:');
    const baseline = await footprint(plain, 'plain:');

    const floor = await timeFloor(client, 'floor:');
    const redis = await timeUpdates(compressed);
    const redisPlain = await timeUpdates(plain);

    rows.push(
      ['records in the conversation (photo + edits)', String(small.records), ''],
      ['Redis memory, plain JSON conversation (bytes)', String(baseline.conversationBytes), '1.00× (baseline)'],
      [
        'Redis memory, compressed conversation (bytes)',
        String(small.conversationBytes),
        `${round(small.conversationBytes / baseline.conversationBytes, 2)}× plain, ${round(small.conversationBytes / GOAL_BYTES, 2)}× goal`,
      ],
      [
        `Redis memory, ${small.links} message links (bytes)`,
        String(small.linkBytes),
        `${round(small.linkBytes / GOAL_BYTES, 2)}× goal`,
      ],
      [
        'Redis memory, conversation + links (bytes)',
        String(small.totalBytes),
        `${round(small.totalBytes / GOAL_BYTES, 2)}× goal`,
      ],
      ['floor: GET + SET round trip, median (µs)', String(round(floor.p50Us)), '1.00× floor'],
      [
        'redis update (compressed), median (µs)',
        String(round(redis.p50Us)),
        `${round(redis.p50Us / floor.p50Us, 2)}× floor`,
      ],
      [
        'redis update (plain JSON), median (µs)',
        String(round(redisPlain.p50Us)),
        `${round(redisPlain.p50Us / floor.p50Us, 2)}× floor`,
      ],
      ['memory update, median (µs)', String(round(memory.p50Us)), `${round(memory.p50Us / floor.p50Us, 2)}× floor`],
      [
        'redis update (compressed), p99 (µs)',
        String(round(redis.p99Us)),
        `${round(redis.p99Us / floor.p99Us, 2)}× floor p99`,
      ],
      [
        'memory update, p99 (µs)',
        String(round(memory.p99Us)),
        `redis median is ${round(redis.p50Us / memory.p50Us, 1)}× memory median`,
      ],
    );
    Object.assign(json, {
      goalBytes: GOAL_BYTES,
      records: small.records,
      plainConversationBytes: baseline.conversationBytes,
      conversationBytes: small.conversationBytes,
      linkBytes: small.linkBytes,
      totalBytes: small.totalBytes,
      conversationWithinGoal: small.conversationBytes < GOAL_BYTES,
      totalWithinGoal: small.totalBytes < GOAL_BYTES,
      compressedToPlain: round(small.conversationBytes / baseline.conversationBytes, 2),
      floor,
      redisUpdate: redis,
      redisPlainUpdate: redisPlain,
      redisToFloorMedian: round(redis.p50Us / floor.p50Us, 2),
      redisToMemoryMedian: round(redis.p50Us / memory.p50Us, 1),
    });
  } finally {
    await compressed.close();
    await plain.close();
    client.disconnect();
    await server.dispose();
  }
}

const width = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
for (const row of rows) console.log(row.map((cell, column) => cell.padEnd(width[column]!)).join('  '));
console.log(JSON.stringify(json));
