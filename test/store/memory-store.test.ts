import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.ts';
import { createConversationStore } from '../../src/store/create-store.ts';
import { MemoryConversationStore } from '../../src/store/memory-store.ts';
import { RedisConversationStore } from '../../src/store/redis-store.ts';
import { runConversationStoreConformance } from './conversation-store.conformance.ts';

runConversationStoreConformance('memory', async (options) => {
  const store = new MemoryConversationStore(options);
  return { store, cleanup: () => store.close() };
});

describe('memory conversation store', () => {
  it('refuses options that make no sense, saying which one to change', () => {
    assert.throws(() => new MemoryConversationStore({ ttlSeconds: 0 }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /ttlSeconds must be a whole number of at least 1/);
      return true;
    });
    assert.throws(() => new MemoryConversationStore({ maxEdits: 2.5 }), /maxEdits/);
    assert.throws(() => new MemoryConversationStore({ imageTtlSeconds: -1 }), /imageTtlSeconds/);
    assert.throws(() => new MemoryConversationStore({ maxImageBytes: 0 }), /maxImageBytes/);
  });

  it('drops the pictures used longest ago when they outgrow maxImageBytes', async () => {
    const store = new MemoryConversationStore({ maxImageBytes: 250 });
    const picture = (fill: number) => ({ bytes: Buffer.alloc(100, fill), format: 'png' as const, width: 1, height: 1 });
    const first = await store.putImage(picture(1));
    const second = await store.putImage(picture(2));
    await store.getImage(first); // now `second` is the one used longest ago
    const third = await store.putImage(picture(3));
    assert.ok(await store.getImage(first));
    assert.equal(await store.getImage(second), undefined);
    assert.ok(await store.getImage(third));
    await store.close();
  });

  it('gives back a copy of a picture, so changing it does not change the stored one', async () => {
    const store = new MemoryConversationStore();
    const bytes = Buffer.from('not really a picture');
    const hash = await store.putImage({ bytes, format: 'jpeg', width: 1, height: 1 });
    bytes.fill(0);
    (await store.getImage(hash))!.bytes.fill(1);
    assert.equal((await store.getImage(hash))!.bytes.toString(), 'not really a picture');
    await store.close();
  });

  it('does not keep the process alive when nobody closes it', () => {
    const program = `import { MemoryConversationStore } from './src/store/memory-store.ts';
      const store = new MemoryConversationStore({ sweepIntervalMs: 50 });
      await store.update({ platform: 'cli', chat: 'c', user: 'u' }, () => undefined);
      console.log('done');`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], {
      cwd: new URL('../..', import.meta.url).pathname,
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(child.error, undefined, 'the process ended by itself');
    assert.equal(child.status, 0, child.stderr);
    assert.equal(child.stdout.trim(), 'done');
  });

  it('refuses to be used after close', async () => {
    const store = new MemoryConversationStore();
    await store.close();
    await assert.rejects(store.load({ platform: 'cli', chat: 'c', user: 'u' }), /closed/);
  });

  it('is what createConversationStore gives without a Redis URL', async () => {
    const store = createConversationStore({ ttlSeconds: 60 });
    assert.equal(store.name, 'memory');
    await store.close();
    const blank = createConversationStore({ redisUrl: '  ' });
    assert.equal(blank.name, 'memory');
    await blank.close();
  });

  it('createConversationStore gives the Redis store for a URL and refuses a malformed one', async () => {
    const store = createConversationStore({ redisUrl: 'redis://127.0.0.1:1', keyPrefix: 'x:' });
    assert.ok(store instanceof RedisConversationStore);
    await store.close();
    assert.throws(() => createConversationStore({ redisUrl: 'localhost:6379' }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /redis:\/\/host:6379/);
      return true;
    });
  });
});
