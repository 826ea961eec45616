/**
 * Pictures a render in progress needs are never dropped for the picture budget: the store-level
 * hold, and the Editor's use of it when a person branches from an older photo's edit (whose
 * original no current edit pins) and the render takes long. Memory store and a real redis-server.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { Editor } from '../../src/editor.ts';
import { ErrorCode, UserError } from '../../src/errors.ts';
import { KnowledgePlanner } from '../../src/planner/knowledge-planner.ts';
import { RulesNormaliser } from '../../src/normaliser/rules-normaliser.ts';
import type { Renderer } from '../../src/renderer/renderer.ts';
import { ToneRenderer } from '../../src/renderer/tone-renderer.ts';
import type { ConversationStore, ConversationStoreOptions } from '../../src/store/conversation-store.ts';
import { MemoryConversationStore } from '../../src/store/memory-store.ts';
import { RedisConversationStore } from '../../src/store/redis-store.ts';
import { imageContentHash } from '../../src/store/image-hash.ts';
import type { Reply, Turn } from '../../src/turn.ts';
import { redisTestOptions, startTestRedis, type TestRedis } from '../helpers/redis-server.ts';
import { addEdit, freshKey, makeEdit } from './conversation-store.conformance.ts';

/** A stand-in picture of exactly 100 bytes. */
const picture = (name: string) => ({
  bytes: Buffer.from(name.padEnd(100, '.')),
  format: 'png' as const,
  width: 1,
  height: 1,
});

async function photo(shade: number): Promise<Buffer> {
  return sharp({ create: { width: 48, height: 32, channels: 3, background: { r: shade, g: 255 - shade, b: 90 } } })
    .png()
    .toBuffer();
}

function holdSuite(name: string, open: (options: ConversationStoreOptions) => Promise<ConversationStore>): void {
  describe(`picture holds (${name} store)`, () => {
    it('keeps a held picture through budget pressure, and lets it go once released', async () => {
      const store = await open({ maxImageBytes: 300 });
      const key = freshKey();
      const old = await store.pictures.put(picture('old photo'));
      const current = await store.pictures.put(picture('current photo'));
      // The conversation's current edit is the newer photo: the old one is not pinned.
      await store.update(key, (c) => {
        addEdit(c, makeEdit('old', undefined, { imageHash: old, originalHash: old }));
        addEdit(c, makeEdit('current', undefined, { imageHash: current, originalHash: current }));
      });
      const release = await store.pictures.hold([old], 60);
      const other = await store.pictures.put(picture('someone else 1'));
      // Full: room for the next picture is made from the unheld, unpinned one, though the held one is older.
      await store.pictures.put(picture('someone else 2'));
      assert.equal(await store.pictures.get(other), undefined);
      assert.ok(await store.pictures.get(old), 'the held picture stays');
      assert.ok(await store.pictures.get(current));
      // With nothing else to drop, a new picture is refused plainly rather than the held one dropped.
      await store.pictures.hold([imageContentHash(picture('someone else 2').bytes)], 60);
      await assert.rejects(
        store.pictures.put(picture('someone else 3')),
        (error: unknown) => error instanceof UserError && error.code === ErrorCode.PictureStorageFull,
      );
      assert.ok(await store.pictures.get(old));
      await release();
      await release(); // a second release does nothing
      await store.pictures.put(picture('someone else 3'));
      assert.equal(await store.pictures.get(old), undefined, 'released, it is an ordinary unpinned picture again');
      assert.ok(await store.pictures.get(current), 'the current edit stays pinned');
      await store.close();
    });

    it('never drops the original a long branch render needs, so More works on the branch afterwards', async () => {
      // Alice's four pictures and a few of Bob's: his forty photos and edits cannot all fit.
      const store = await open({ maxImageBytes: (await photo(10)).length * 14 });
      const tone = new ToneRenderer({ vision: false });
      let letGo: (() => void) | undefined;
      let holding: Promise<void> | undefined;
      let started!: () => void;
      let renderStarted = new Promise<void>((resolve) => (started = resolve));
      const slowWhenAsked: Renderer = {
        name: 'tone',
        render: async (request) => {
          if (holding && request.owner?.includes('alice')) {
            started();
            await holding;
          }
          return tone.render(request);
        },
      };
      const editor = new Editor({
        store,
        normaliser: new RulesNormaliser(),
        planner: new KnowledgePlanner(),
        renderer: slowWhenAsked,
      });
      let n = 0;
      const say = async (user: string, text: string, extra: Partial<Turn> = {}): Promise<Reply> => {
        const turn: Turn = {
          key: { platform: 'test', chat: `holds-${name}`, user },
          messageId: `m-${++n}`,
          text,
          images: [],
          actor: { id: user, name: user, isModerator: false },
          ...extra,
        };
        const [reply] = await editor.handle(turn, { send: async (sent) => (sent.image ? `bot-${n}` : undefined) });
        return { ...reply!, messageId: `bot-${n}` } as Reply;
      };
      const withPhoto = (bytes: Buffer) => ({ images: [{ declaredBytes: bytes.length, fetch: async () => bytes }] });

      const alice = `alice-${randomUUID()}`;
      const firstEdit = (await say(alice, 'make it sadder', withPhoto(await photo(10)))) as Reply & {
        messageId: string;
      };
      assert.equal(firstEdit.kind, 'edit');
      const second = await say(alice, 'make it scarier', withPhoto(await photo(200)));
      assert.equal(second.kind, 'edit');

      // Alice replies to her first photo's edit: a branch, rendered from the first photo's original,
      // which no current edit pins. The render waits while Bob fills the picture budget.
      holding = new Promise<void>((resolve) => (letGo = resolve));
      const branch = say(alice, 'make it calmer', { replyTo: firstEdit.messageId });
      await Promise.race([
        renderStarted,
        branch.then((reply) => assert.fail(`the branch answered before rendering: ${reply.text}`)),
      ]);
      const bob = `bob-${randomUUID()}`;
      for (let i = 0; i < 40; i++) {
        const reply = await say(bob, 'make it sadder', withPhoto(await photo(20 + i * 5)));
        assert.equal(reply.kind, 'edit', reply.text);
      }
      // The budget was under pressure: the first edit's own picture (older than the original, unheld) is gone.
      assert.equal(await store.pictures.get(imageContentHash(firstEdit.image!.bytes)), undefined);
      holding = undefined;
      renderStarted = Promise.resolve();
      letGo!();
      const branched = (await branch) as Reply & { messageId: string };
      assert.equal(branched.kind, 'edit', branched.text);
      const more = await say(alice, '', { action: { kind: 'more', editId: branched.editId } });
      assert.equal(more.kind, 'edit', `More on the branch renders from the original it needs: ${more.text}`);
      await store.close();
    });
  });
}

holdSuite('memory', async (options) => new MemoryConversationStore(options));

describe('picture holds on Redis', redisTestOptions(), () => {
  let redis: TestRedis;
  before(async () => {
    redis = await startTestRedis();
  });
  after(async () => {
    await redis?.dispose();
  });
  holdSuite(
    'redis',
    async (options) =>
      new RedisConversationStore({
        redis: redis.url,
        keyPrefix: `test:${randomUUID()}:`,
        ...options,
      }),
  );
});
