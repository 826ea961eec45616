/**
 * The one Redis connection policy: which URLs choose which client, and "temporarily unavailable"
 * the same way for every part (a real redis-server, started and stopped by the test).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { ConfigError, UnavailableError } from '../../src/errors.ts';
import { RedisConnection } from '../../src/redis/redis-connection.ts';
import { parseRedisUrl, redactRedisUrl } from '../../src/redis/redis-url.ts';
import { freePort, redisTestOptions, startTestRedis, type TestRedis } from '../helpers/redis-server.ts';

describe('REDIS_URL', () => {
  it('reads one server, TLS, a database and credentials', () => {
    assert.deepEqual(parseRedisUrl('rediss://me:p%40ss@cache.example:6380/2'), {
      cluster: false,
      nodes: [{ host: 'cache.example', port: 6380 }],
      username: 'me',
      password: 'p@ss',
      db: 2,
      tls: true,
    });
    assert.deepEqual(parseRedisUrl('redis://127.0.0.1').nodes, [{ host: '127.0.0.1', port: 6379 }]);
  });

  it('chooses a Redis Cluster by the +cluster scheme, with every seed node listed', () => {
    const address = parseRedisUrl('redis+cluster://:secret@10.0.0.5:7000,10.0.0.6:7001');
    assert.equal(address.cluster, true);
    assert.deepEqual(address.nodes, [
      { host: '10.0.0.5', port: 7000 },
      { host: '10.0.0.6', port: 7001 },
    ]);
    assert.equal(address.password, 'secret');
  });

  it('refuses what is not a Redis URL without repeating it (it may hold a password)', () => {
    for (const bad of [
      'localhost:6379',
      'http://h:1',
      'redis://:pw@a:1,b:2',
      'redis+cluster://h:7000/3',
      'redis://h:99999',
    ]) {
      assert.throws(
        () => parseRedisUrl(bad),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError, bad);
          assert.match(error.message, /REDIS_URL/);
          assert.doesNotMatch(error.message, /pw/);
          return true;
        },
      );
    }
    assert.equal(redactRedisUrl('redis://me:secret@h:1'), 'redis://me:***@h:1');
  });
});

describe('RedisConnection', redisTestOptions(), () => {
  let redis: TestRedis;
  before(async () => {
    redis = await startTestRedis();
  });
  after(async () => {
    await redis?.dispose();
  });

  it('answers UnavailableError within unavailableAfterMs when nothing listens, and never queues the command', async () => {
    const connection = new RedisConnection({ url: `redis://127.0.0.1:${await freePort()}`, unavailableAfterMs: 300 });
    try {
      const startedAt = Date.now();
      await assert.rejects(
        connection.run('read something', (client) => client.get('k')),
        (error: unknown) => {
          assert.ok(error instanceof UnavailableError, String(error));
          assert.equal(error.dependency, 'redis');
          assert.match(error.message, /read something/);
          return true;
        },
      );
      assert.ok(Date.now() - startedAt < 3000, 'no long hang');
      assert.equal(await connection.ping(), false);
    } finally {
      await connection.close();
    }
  });

  it('passes a wrong command back as it is (a bug, not an outage)', async () => {
    const connection = new RedisConnection({ url: redis.url });
    try {
      await connection.run('write', (client) => client.set('a-string', 'x'));
      await assert.rejects(
        connection.run('misuse', (client) => client.lpush('a-string', 'y')),
        (error: unknown) => {
          assert.ok(!(error instanceof UnavailableError));
          assert.match(String(error), /WRONGTYPE/);
          return true;
        },
      );
      assert.equal(await connection.ping(), true);
    } finally {
      await connection.close();
      await connection.close();
    }
    await assert.rejects(
      connection.run('after close', (client) => client.get('a-string')),
      /closed/,
    );
  });

  it('never closes a client it was handed, and shares one wrapper per client', async () => {
    const client = new Redis(redis.url);
    const wrapped = RedisConnection.wrap(client);
    assert.equal(RedisConnection.wrap(client), wrapped);
    assert.equal(await wrapped.run('ping', (c) => c.ping()), 'PONG');
    await wrapped.close();
    assert.equal(await client.ping(), 'PONG');
    client.disconnect();
  });

  it('gives BullMQ connection options that retry for ever, as BullMQ requires', () => {
    const connection = new RedisConnection({ url: redis.url, lazyConnect: true });
    const options = connection.bullmqConnection() as { maxRetriesPerRequest: unknown; port: number };
    assert.equal(options.maxRetriesPerRequest, null);
    assert.equal(options.port, redis.port);
    assert.equal(
      (connection.client as Redis).options.maxRetriesPerRequest,
      0,
      'the command connection sends each command once',
    );
    void connection.close();
  });
});
