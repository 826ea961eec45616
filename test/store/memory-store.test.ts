import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { Editor } from '../../src/editor.ts';
import { ConfigError, ErrorCode, UserError } from '../../src/errors.ts';
import { userMessage } from '../../src/messages.ts';
import { KnowledgePlanner } from '../../src/planner/knowledge-planner.ts';
import { RulesNormaliser } from '../../src/normaliser/rules-normaliser.ts';
import { ToneRenderer } from '../../src/renderer/tone-renderer.ts';
import type { Turn } from '../../src/turn.ts';
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
    assert.throws(
      () => new MemoryConversationStore({ ttlSeconds: 0 }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /ttlSeconds must be a whole number of at least 1/);
        return true;
      },
    );
    assert.throws(() => new MemoryConversationStore({ maxEdits: 2.5 }), /maxEdits/);
    assert.throws(() => new MemoryConversationStore({ imageTtlSeconds: -1 }), /imageTtlSeconds/);
    assert.throws(() => new MemoryConversationStore({ maxImageBytes: 0 }), /maxImageBytes/);
  });

  it('drops the pictures used longest ago when they outgrow maxImageBytes', async () => {
    const store = new MemoryConversationStore({ maxImageBytes: 250 });
    const picture = (fill: number) => ({ bytes: Buffer.alloc(100, fill), format: 'png' as const, width: 1, height: 1 });
    const first = await store.pictures.put(picture(1));
    const second = await store.pictures.put(picture(2));
    await store.pictures.get(first); // now `second` is the one used longest ago
    const third = await store.pictures.put(picture(3));
    assert.ok(await store.pictures.get(first));
    assert.equal(await store.pictures.get(second), undefined);
    assert.ok(await store.pictures.get(third));
    await store.close();
  });

  it('tells the person plainly when a picture their conversation lists was evicted, and keeps their current edit', async () => {
    const store = new MemoryConversationStore({ maxImageBytes: 2 * 1024 * 1024 });
    const editor = new Editor({
      store,
      normaliser: new RulesNormaliser(),
      planner: new KnowledgePlanner(),
      renderer: new ToneRenderer(),
    });
    const photo = await sharp(readFileSync(new URL('../fixtures/images/astronaut.png', import.meta.url)))
      .resize(160)
      .png()
      .toBuffer();
    const key = { platform: 'test', chat: 'chat-1', user: 'alice' };
    let n = 0;
    const say = async (text: string, image?: Buffer) => {
      const turn: Turn = {
        key,
        messageId: `in-${++n}`,
        text,
        images: image ? [{ declaredBytes: image.length, fetch: async () => image }] : [],
        actor: { id: 'alice', name: 'Alice', isModerator: false },
      };
      const [reply] = await editor.handle(turn, { progress: () => undefined });
      return reply!;
    };
    assert.ok((await say('make it sadder', photo)).image);
    assert.ok((await say('make it scarier')).image); // the sadder picture is now history, not current
    // Others fill the budget: the pictures nobody's current edit needs make way, oldest first.
    for (let i = 0; i < 12; i++)
      await store.pictures.put({ bytes: randomBytes(300_000), format: 'png', width: 1, height: 1 });

    const undone = await say('undo');
    assert.equal(undone.kind, 'error');
    assert.equal(undone.code, ErrorCode.PictureExpired);
    assert.equal(undone.text, userMessage(new UserError(ErrorCode.PictureExpired)));
    assert.match(undone.text, /expired.*send the photo again/i);
    // The original every edit renders from was never evicted: the conversation goes on.
    assert.ok((await say('make it calmer')).image, 'a new edit still renders from the original');
    await store.close();
  });

  it('gives back a copy of a picture, so changing it does not change the stored one', async () => {
    const store = new MemoryConversationStore();
    const bytes = Buffer.from('not really a picture');
    const hash = await store.pictures.put({ bytes, format: 'jpeg', width: 1, height: 1 });
    bytes.fill(0);
    (await store.pictures.get(hash))!.bytes.fill(1);
    assert.equal((await store.pictures.get(hash))!.bytes.toString(), 'not really a picture');
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
    assert.throws(
      () => createConversationStore({ redisUrl: 'localhost:6379' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /redis:\/\/host:6379/);
        return true;
      },
    );
  });
});
