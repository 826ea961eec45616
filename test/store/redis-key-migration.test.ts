/**
 * `moodshift migrate-redis`: the keys a 0.1 deployment wrote (no hash tags) are renamed once, and
 * then found again: conversations, message links, pictures with their budget and pins, and jobs
 * waiting in the render queue. Nothing saved is lost, and a second run changes nothing.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { migrateRedisKeys } from '../../src/redis/key-migration.ts';
import { LEGACY_QUEUE_PREFIX, QUEUE_PREFIX } from '../../src/redis/keys.ts';
import { RedisConnection } from '../../src/redis/redis-connection.ts';
import { RedisConversationStore } from '../../src/store/redis-store.ts';
import { redisTestOptions, startTestRedis, type TestRedis } from '../helpers/redis-server.ts';
import { addEdit, freshKey, makeEdit } from './conversation-store.conformance.ts';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;

describe('migrating the Redis keys of moodshift 0.1', redisTestOptions(), () => {
  let redis: TestRedis;
  let probe: Redis;
  before(async () => {
    redis = await startTestRedis();
    probe = new Redis(redis.url);
  });
  after(async () => {
    probe?.disconnect();
    await redis?.dispose();
  });

  it('renames conversations, links and pictures so that the store finds them again, and a second run changes nothing', async () => {
    const prefix = `old${randomUUID().slice(0, 8)}:`;
    const store = new RedisConversationStore({ redis: redis.url, keyPrefix: prefix });
    try {
      const key = freshKey({ chat: '-100123' });
      await store.update(key, (c) => {
        addEdit(c, makeEdit('root'));
        addEdit(c, makeEdit('sadder', 'root'));
      });
      await store.linkMessage(key, 'sadder', '55');
      const hash = await store.pictures.put({
        bytes: Buffer.from('a picture of 0.1'),
        format: 'webp',
        width: 2,
        height: 2,
      });
      const before = await store.load(key);
      // The names 0.1 wrote (its own test's list), as a running deployment has them.
      const chat = encodeURIComponent(key.chat);
      const user = encodeURIComponent(key.user);
      const current = `${prefix}conv:{telegram:${chat}}::${user}`;
      const legacy: Record<string, string> = {
        [current]: `${prefix}conv:telegram:${chat}::${user}`,
        [`${prefix}msg:{telegram:-100123}:55`]: `${prefix}msg:telegram:-100123:55`,
        [`${prefix}img:{pictures}:${hash}`]: `${prefix}img:${hash}`,
        [`${prefix}imgpin:{pictures}:${'a'.repeat(64)}`]: `${prefix}imgpin:${'a'.repeat(64)}`,
        [`${prefix}imgs:{pictures}:bytes`]: `${prefix}imgs:bytes`,
        [`${prefix}imgs:{pictures}:lru`]: `${prefix}imgs:lru`,
        [`${prefix}imgs:{pictures}:size`]: `${prefix}imgs:size`,
      };
      for (const [now, old] of Object.entries(legacy)) await probe.rename(now, old);
      assert.equal(await store.load(key), undefined, 'under the old names the store does not find the conversation');

      const connection = new RedisConnection({ url: redis.url });
      try {
        const result = await migrateRedisKeys(connection, prefix);
        assert.ok(result.renamed >= Object.keys(legacy).length, `renamed ${result.renamed}`);
        assert.equal(result.kept, 0);
        assert.deepEqual(await store.load(key), before);
        assert.deepEqual(await store.findMessage(key.platform, key.chat, '55'), { key, editId: 'sadder' });
        assert.ok((await store.pictures.get(hash))!.bytes.equals(Buffer.from('a picture of 0.1')));
        assert.equal(
          await probe.get(`${prefix}imgs:{pictures}:bytes`),
          String('a picture of 0.1'.length),
          'the budget came along',
        );
        assert.ok((await probe.ttl(current)) > 0, 'the time to live came along');
        assert.deepEqual(
          await migrateRedisKeys(connection, prefix),
          { renamed: 0, kept: 0 },
          'a second run changes nothing',
        );
      } finally {
        await connection.close();
      }
    } finally {
      await store.close();
    }
  });

  it('moves jobs waiting in the old render queue under the {moodshift} prefix, from the command line', async () => {
    const old = new Queue('render', {
      connection: { host: '127.0.0.1', port: redis.port },
      prefix: LEGACY_QUEUE_PREFIX,
    });
    await old.add('render', { imageHash: 'f'.repeat(64), intensity: 0.6, seed: 1 }, { jobId: 'waiting-job' });
    await old.close();
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'migrate-redis'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', REDIS_URL: redis.url, LOG_LEVEL: 'silent' },
    });
    assert.match(stdout, /Renamed \d+ key\(s\)/);
    const current = new Queue('render', { connection: { host: '127.0.0.1', port: redis.port }, prefix: QUEUE_PREFIX });
    try {
      const job = await current.getJob('waiting-job');
      assert.equal(job?.data.seed, 1);
      assert.equal(await current.getJobState('waiting-job'), 'waiting');
      assert.deepEqual(await probe.keys(`${LEGACY_QUEUE_PREFIX}:render:*`), [], 'no key is left under the old prefix');
    } finally {
      await current.close();
    }
  });
});
