/**
 * The picture store on its own, as the render worker uses it: a `RedisPictureStore` with its own
 * connection, beside the bot's `RedisConversationStore` on the same real redis-server and prefix.
 * Pictures cross between the two, the worker's puts honour the pins that conversations write, and
 * closing one leaves the other working. The memory picture store keeps a conversation's pictures
 * exactly as its conversation store tells it.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ErrorCode, UserError } from '../../src/errors.ts';
import { MemoryPictureStore } from '../../src/store/memory-picture-store.ts';
import { RedisPictureStore } from '../../src/store/redis-picture-store.ts';
import { RedisConversationStore } from '../../src/store/redis-store.ts';
import { imageContentHash } from '../../src/store/image-hash.ts';
import { redisTestOptions, startTestRedis, type TestRedis } from '../helpers/redis-server.ts';
import { addEdit, freshKey, makeEdit } from './conversation-store.conformance.ts';

/** A stand-in picture of exactly 100 bytes. */
const picture = (name: string) => ({
  bytes: Buffer.from(name.padEnd(100, '.')),
  format: 'png' as const,
  width: 3,
  height: 2,
});
const isFull = (error: unknown) => error instanceof UserError && error.code === ErrorCode.PictureStorageFull;

describe('the memory picture store', () => {
  it('never drops the pictures a conversation is marked as needing, and drops its surplus first', async () => {
    const pictures = new MemoryPictureStore({ maxImageBytes: 300 });
    const needed = await pictures.put(picture('needed'));
    const surplus = await pictures.put(picture('surplus'));
    const plain = await pictures.put(picture('plain'));
    pictures.markConversation('conversation-1', [needed], [surplus]);
    await pictures.put(picture('new 1'));
    assert.equal(
      await pictures.get(surplus),
      undefined,
      'the surplus picture goes first, though the plain one was used longer ago',
    );
    await pictures.put(picture('new 2'));
    assert.equal(await pictures.get(plain), undefined, 'then the longest unused');
    assert.ok(await pictures.get(needed), 'the needed picture stays through the pressure');
    pictures.markConversation('conversation-1', [], []);
    // A picture the size of the whole budget: everything unpinned must go to make room.
    await pictures.put({ ...picture('big'), bytes: Buffer.from('big'.padEnd(300, '.')) });
    assert.equal(await pictures.get(needed), undefined, 'forgotten by its conversation, it is an ordinary picture');
    await pictures.close();
    await assert.rejects(pictures.get(needed), /closed/);
  });
});

describe('a RedisPictureStore of its own beside the conversation store', redisTestOptions(), () => {
  let redis: TestRedis;
  before(async () => {
    redis = await startTestRedis();
  });
  after(async () => {
    await redis?.dispose();
  });

  it('shares the pictures, honours the pins that conversations write, and closes on its own', async () => {
    const keyPrefix = `test:${randomUUID()}:`;
    const bot = new RedisConversationStore({ redis: redis.url, keyPrefix, maxImageBytes: 300 });
    const worker = new RedisPictureStore({ redis: redis.url, keyPrefix, maxImageBytes: 300 });
    try {
      const original = await bot.pictures.put(picture('original'));
      const fromWorker = await worker.get(original);
      assert.deepEqual(
        fromWorker,
        picture('original'),
        'the worker reads what the bot stored, with its size and format',
      );
      // The bot's conversation now shows the original: it is pinned for as long as the conversation lives.
      const key = freshKey();
      await bot.update(key, (c) =>
        addEdit(c, makeEdit('root', undefined, { imageHash: original, originalHash: original })),
      );
      const result = await worker.put(picture('render result'));
      assert.ok(await bot.pictures.get(result), 'the bot reads what the worker stored');
      await worker.put(picture('someone else'));
      // Full: room for one more is made from the unpinned pictures (which one depends on Redis' order
      // among equal last-use times); never from the pinned original.
      await worker.put(picture('one more'));
      assert.ok(await worker.get(original), 'a picture a conversation needs survives the worker’s puts');
      const others = ['render result', 'someone else', 'one more'].map((name) => imageContentHash(picture(name).bytes));
      const kept = await Promise.all(others.map((hash) => worker.get(hash)));
      assert.equal(kept.filter(Boolean).length, 2, 'exactly one unpinned picture made room');
      // With the others held for renders, nothing can go: a plain refusal, the original untouched.
      const release = await worker.hold(others, 60);
      await assert.rejects(worker.put(picture('no room')), isFull);
      assert.ok(await worker.get(original));
      await release();
      await worker.put(picture('room again'));
      await worker.close();
      await assert.rejects(worker.get(original), /closed/);
      assert.ok(await bot.pictures.get(original), 'closing the worker’s store leaves the bot’s connection open');
    } finally {
      await worker.close();
      await bot.close();
    }
  });
});
