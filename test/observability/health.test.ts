import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { loadConfig } from '../../src/config.ts';
import { createEngine, type Engine } from '../../src/engine.ts';
import { startBotObservability } from '../../src/observability/bot-observability.ts';
import { redisPingCheck, startHealthServer } from '../../src/observability/health-server.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { redisTestOptions, startTestRedis, type TestRedis } from '../helpers/redis-server.ts';

describe('health and metrics server', redisTestOptions(), () => {
  let redis: TestRedis;
  let client: Redis;

  before(async () => {
    redis = await startTestRedis();
    client = new Redis(redis.url, { maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => 100 });
    client.on('error', () => {});
  });
  after(async () => {
    client.disconnect();
    await redis.dispose();
  });

  it('answers /healthz, and /readyz with 503 naming Redis while it is down', async () => {
    const { registry } = createMetrics({ defaultMetrics: false });
    const server = await startHealthServer({
      port: 0,
      host: '127.0.0.1',
      registry,
      checks: { redis: redisPingCheck(client) },
    });
    try {
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
      const ready = await fetch(`${server.url}/readyz`);
      assert.equal(ready.status, 200, await ready.text());
      await redis.stop();
      const down = await fetch(`${server.url}/readyz`);
      assert.equal(down.status, 503);
      assert.deepEqual(((await down.json()) as { failing: string[] }).failing, ['redis']);
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200, 'still alive');
      assert.equal((await fetch(`${server.url}/nope`)).status, 404);
    } finally {
      await redis.restart();
      await server.close();
    }
  });

  it("counts the bot's turns by outcome on /metrics", async () => {
    const engine: Engine = await createEngine(loadConfig({}));
    const observed = await startBotObservability(engine, [{ name: 'web', isReady: () => true, stop: async () => {} }], {
      port: 0,
      host: '127.0.0.1',
    });
    try {
      const turn = (text: string) => ({
        key: { platform: 'test', chat: 'c', user: 'u' },
        messageId: text,
        text,
        images: [],
        actor: { id: 'u', name: 'U', isModerator: false },
      });
      await engine.editor.handle(turn('help'));
      await engine.editor.handle(turn('make it sadder'));
      const text = await (await fetch(`${observed.url}/metrics`)).text();
      assert.match(text, /moodshift_turns_total\{platform="test",outcome="info"\} 1/);
      assert.match(text, /moodshift_turns_total\{platform="test",outcome="refused"\} 1/);
      assert.equal((await fetch(`${observed.url}/readyz`)).status, 200);
    } finally {
      await observed.close();
      await engine.close();
    }
  });
});
