import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { ConfigError, ErrorCode, UnavailableError, UserError } from '../../src/errors.ts';
import { redisMemoryWarnings } from '../../src/redis/redis-settings.ts';
import { RedisConversationStore, type RedisConversationStoreOptions } from '../../src/store/redis-store.ts';
import { redisTestOptions, startTestRedis, type TestRedis } from '../helpers/redis-server.ts';
import { addEdit, freshKey, makeEdit, runConversationStoreConformance } from './conversation-store.conformance.ts';

const skip = redisTestOptions();

/** Retries `attempt` until it stops throwing, for at most `withinMs`: for "works again once Redis is back". */
async function eventually<T>(attempt: () => Promise<T>, withinMs = 10_000): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

describe('redis conversation store', skip, () => {
  let redis: TestRedis;
  before(async () => {
    redis = await startTestRedis();
  });
  after(async () => {
    await redis?.dispose();
  });

  const storeOn = (url: string, options: Partial<RedisConversationStoreOptions> = {}) =>
    new RedisConversationStore({ redis: url, keyPrefix: `test:${randomUUID()}:`, ...options });

  runConversationStoreConformance('redis', async (options) => {
    const store = storeOn(redis.url, options);
    return { store, cleanup: () => store.close() };
  });

  it('writes right after a read without reading again, and still never loses another process’s write', async () => {
    const keyPrefix = `test:${randomUUID()}:`;
    const mine = new RedisConversationStore({ redis: redis.url, keyPrefix });
    const theirs = new RedisConversationStore({ redis: redis.url, keyPrefix });
    const key = freshKey();
    const probe = new Redis(redis.url);
    try {
      await mine.update(key, (c) => addEdit(c, makeEdit('root')));
      await mine.load(key);
      const before = Number(/cmdstat_get:calls=(\d+)/.exec(await probe.info('commandstats'))?.[1] ?? 0);
      await mine.update(key, (c) => addEdit(c, makeEdit('sadder', 'root')));
      const after = Number(/cmdstat_get:calls=(\d+)/.exec(await probe.info('commandstats'))?.[1] ?? 0);
      // Command stats count the GET inside the compare-and-set script too: that one, and no read before it.
      assert.equal(after - before, 1, 'the update after a load reads nothing before its compare-and-set');
      // Another process writes; this one's remembered value is stale, so its write is refused and it reads again.
      await theirs.update(key, (c) => addEdit(c, makeEdit('calmer', 'root')));
      await mine.update(key, (c) => addEdit(c, makeEdit('angrier', 'root')));
      assert.deepEqual(Object.keys((await theirs.load(key))!.edits).sort(), ['angrier', 'calmer', 'root', 'sadder']);
    } finally {
      probe.disconnect();
      await mine.close();
      await theirs.close();
    }
  });

  it('keeps its keys under the prefix, with the time to live it was given', async () => {
    const prefix = `test:${randomUUID()}:`;
    const store = new RedisConversationStore({
      redis: redis.url,
      keyPrefix: prefix,
      ttlSeconds: 300,
      imageTtlSeconds: 600,
    });
    const key = freshKey({ chat: '-100123' });
    await store.update(key, (c) => addEdit(c, makeEdit('root')));
    await store.linkMessage(key, 'root', '55');
    const hash = await store.pictures.put({ bytes: Buffer.from('picture'), format: 'webp', width: 2, height: 2 });

    const probe = new Redis(redis.url);
    try {
      const keys = (await probe.keys(`${prefix}*`)).sort();
      assert.deepEqual(
        keys,
        [
          // A conversation and its message links share the chat's hash tag; pictures share {pictures}.
          `${prefix}conv:{telegram:${encodeURIComponent(key.chat)}}::${encodeURIComponent(key.user)}`,
          `${prefix}img:{pictures}:${hash}`,
          // The current edit pins its picture (here the root's original, 'a' * 64) for as long as the conversation lives.
          `${prefix}imgpin:{pictures}:${'a'.repeat(64)}`,
          // The picture budget's bookkeeping: bounded by the pictures stored, so it needs no time to live.
          `${prefix}imgs:{pictures}:bytes`,
          `${prefix}imgs:{pictures}:lru`,
          `${prefix}imgs:{pictures}:size`,
          `${prefix}msg:{telegram:-100123}:55`,
        ].sort(),
      );
      assert.equal(await probe.get(`${prefix}imgs:{pictures}:bytes`), String('picture'.length));
      for (const k of keys.filter((k) => !k.includes(':imgs:'))) {
        const ttl = await probe.ttl(k);
        assert.ok(ttl > 0 && ttl <= (k.includes(':img:') ? 600 : 300), `${k} expires (ttl ${ttl})`);
      }
      assert.equal(await probe.hget(`${prefix}img:{pictures}:${hash}`, 'format'), 'webp');
    } finally {
      probe.disconnect();
      await store.close();
    }
  });

  it('answers "short of space" (not a crash) when Redis itself reaches maxmemory, and still reads pictures', async () => {
    const tight = await startTestRedis();
    const probe = new Redis(tight.url);
    const store = storeOn(tight.url, { maxImageBytes: 1024 * 1024 * 1024 });
    try {
      const used = Number(/used_memory:(\d+)/.exec(await probe.info('memory'))![1]);
      await probe.config('SET', 'maxmemory', String(used + 2 * 1024 * 1024));
      const first = await store.pictures.put({ bytes: randomBytes(200_000), format: 'png', width: 1, height: 1 });
      let refusal: unknown;
      for (let i = 0; i < 40 && refusal === undefined; i++) {
        await store.pictures
          .put({ bytes: randomBytes(200_000), format: 'png', width: 1, height: 1 })
          .catch((error: unknown) => {
            refusal = error;
          });
      }
      assert.ok(refusal instanceof UserError, `a UserError, not ${String(refusal)}`);
      assert.equal(refusal.code, ErrorCode.PictureStorageFull);
      assert.ok(await store.pictures.get(first), 'pictures stored before can still be read');
      assert.deepEqual(await redisMemoryWarnings(probe), [], 'maxmemory is set');
      await probe.config('SET', 'maxmemory', '0');
      assert.match((await redisMemoryWarnings(probe))[0]!, /no maxmemory/);
    } finally {
      probe.disconnect();
      await store.close();
      await tight.dispose();
    }
  });

  it('stores plain JSON when asked not to compress, and reads either kind', async () => {
    const prefix = `test:${randomUUID()}:`;
    const plain = new RedisConversationStore({ redis: redis.url, keyPrefix: prefix, compress: false });
    const compressing = new RedisConversationStore({ redis: redis.url, keyPrefix: prefix });
    const probe = new Redis(redis.url);
    try {
      const key = freshKey();
      await plain.update(key, (c) => addEdit(c, makeEdit('root')));
      const [convKey] = await probe.keys(`${prefix}conv:*`);
      assert.ok(convKey, 'the conversation is stored');
      assert.equal(JSON.parse((await probe.get(convKey))!).cursor, 'root', 'redis-cli shows readable JSON');
      await compressing.update(key, (c) => addEdit(c, makeEdit('sadder', 'root')));
      assert.equal((await probe.getBuffer(convKey))![0], 0x01, 'now stored compressed');
      assert.deepEqual(Object.keys((await plain.load(key))!.edits).sort(), ['root', 'sadder']);
    } finally {
      probe.disconnect();
      await plain.close();
      await compressing.close();
    }
  });

  it('loses no update when two bot processes (two clients) change one conversation at once', async () => {
    const prefix = `test:${randomUUID()}:`;
    const first = new RedisConversationStore({ redis: redis.url, keyPrefix: prefix });
    const second = new RedisConversationStore({ redis: redis.url, keyPrefix: prefix });
    try {
      const key = freshKey();
      await first.update(key, (c) => addEdit(c, makeEdit('root')));
      const ids = Array.from({ length: 24 }, (_, i) => `edit-${i}`);
      await Promise.all(
        ids.map((id, i) => (i % 2 ? first : second).update(key, (c) => addEdit(c, makeEdit(id, 'root')))),
      );
      const seenByFirst = await first.load(key);
      assert.deepEqual(Object.keys(seenByFirst!.edits).sort(), ['root', ...ids].sort());
      assert.deepEqual(await second.load(key), seenByFirst);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('gives up with UnavailableError when other writers win every time', async () => {
    const prefix = `test:${randomUUID()}:`;
    const key = freshKey();
    const rival = new RedisConversationStore({ redis: redis.url, keyPrefix: prefix });
    await rival.update(key, (c) => addEdit(c, makeEdit('root')));
    // A real client that lets the rival write just before each of our compare-and-set scripts runs.
    const client = new Redis(redis.url);
    let rivalWrites = 0;
    const contested = new Proxy(client, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (property !== 'evalsha' && property !== 'eval')
          return typeof value === 'function' ? value.bind(target) : value;
        return async (...args: unknown[]) => {
          rivalWrites += 1;
          await rival.update(key, (c) => addEdit(c, makeEdit(`rival-${rivalWrites}`, 'root')));
          return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        };
      },
    });
    const store = new RedisConversationStore({ redis: contested, keyPrefix: prefix, maxUpdateRetries: 3 });
    try {
      let runs = 0;
      await assert.rejects(
        store.update(key, (c) => {
          runs += 1;
          addEdit(c, makeEdit('mine', 'root'));
        }),
        (error: unknown) => {
          assert.ok(error instanceof UnavailableError);
          assert.equal(error.dependency, 'redis');
          assert.match(error.message, /changed by other writers 3 times in a row/);
          return true;
        },
      );
      assert.equal(runs, 3, 'change ran once per try');
      const stored = (await rival.load(key))!;
      assert.equal(stored.edits.mine, undefined);
      assert.equal(Object.keys(stored.edits).length, 1 + rivalWrites, 'every rival write is there');
    } finally {
      await store.close();
      await rival.close();
      client.disconnect();
    }
  });

  it('never quits a client it was handed, and quits its own', async () => {
    const client = new Redis(redis.url);
    const borrowed = new RedisConversationStore({ redis: client, keyPrefix: `test:${randomUUID()}:` });
    await borrowed.load(freshKey());
    await borrowed.close();
    assert.equal(await client.ping(), 'PONG');
    client.disconnect();

    const owned = storeOn(redis.url);
    await owned.load(freshKey());
    await owned.close();
    await assert.rejects(owned.load(freshKey()), /closed/);
  });

  it('refuses options that make no sense, saying which one to change', () => {
    assert.throws(
      () => new RedisConversationStore({ redis: 'localhost:6379' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /redis:\/\/host:6379/);
        return true;
      },
    );
    assert.throws(() => new RedisConversationStore({ redis: redis.url, maxUpdateRetries: 0 }), /maxUpdateRetries/);
    assert.throws(() => new RedisConversationStore({ redis: redis.url, ttlSeconds: 0.5 }), /ttlSeconds/);
  });
});

describe('redis conversation store across Redis restarts', skip, () => {
  it('loses nothing when Redis with append-only persistence is killed and restarted', async () => {
    const server = await startTestRedis({ appendOnly: true });
    const store = new RedisConversationStore({ redis: server.url });
    try {
      const key = freshKey();
      await store.update(key, (c) => {
        addEdit(c, makeEdit('root'));
        addEdit(c, makeEdit('sadder', 'root'));
      });
      await store.linkMessage(key, 'sadder', '900');
      const bytes = Buffer.from('a picture that must survive');
      const hash = await store.pictures.put({ bytes, format: 'jpeg', width: 3, height: 2 });
      const before = await store.load(key);

      await server.kill();
      await server.restart();

      // The same store, reconnected by itself.
      assert.deepEqual(await eventually(() => store.load(key)), before);
      assert.deepEqual(await store.findMessage(key.platform, key.chat, '900'), { key, editId: 'sadder' });
      assert.ok((await store.pictures.get(hash))!.bytes.equals(bytes));
      await store.update(key, (c) => addEdit(c, makeEdit('after-restart', 'sadder')));
      assert.equal((await store.load(key))!.cursor, 'after-restart');
    } finally {
      await store.close();
      await server.dispose();
    }
  });

  it('fails fast with UnavailableError while Redis is down, and works again once it is back', async () => {
    const server = await startTestRedis();
    const store = new RedisConversationStore({ redis: server.url });
    try {
      const key = freshKey();
      await store.update(key, (c) => addEdit(c, makeEdit('root')));

      await server.stop();
      for (const operation of [
        () => store.load(key),
        () => store.update(key, (c) => addEdit(c, makeEdit('while-down', 'root'))),
        () => store.pictures.put({ bytes: Buffer.from('x'), format: 'png', width: 1, height: 1 }),
      ]) {
        const started = Date.now();
        await assert.rejects(operation(), (error: unknown) => {
          assert.ok(error instanceof UnavailableError, `an UnavailableError, not ${String(error)}`);
          assert.equal(error.dependency, 'redis');
          return true;
        });
        const elapsed = Date.now() - started;
        assert.ok(elapsed < 2000, `failed after ${elapsed} ms, not within 2 s`);
      }

      await server.restart();
      await eventually(() => store.update(key, (c) => addEdit(c, makeEdit('back', 'root'))));
      assert.ok((await store.load(key))!.edits.back, 'the update made after Redis came back is stored');
    } finally {
      await store.close();
      await server.dispose();
    }
  });
});
