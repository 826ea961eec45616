/**
 * @module The behaviour every `ConversationStore` must show, run against each backend by
 * `memory-store.test.ts` and `redis-store.test.ts`.
 */
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { afterEach, describe, it } from 'node:test';
import sharp from 'sharp';
import { ErrorCode, UserError } from '../../src/errors.ts';
import type {
  Conversation,
  ConversationStore,
  ConversationStoreOptions,
  EditRecord,
} from '../../src/store/conversation-store.ts';
import type { ConversationKey } from '../../src/turn.ts';

export interface StoreUnderTest {
  store: ConversationStore;
  cleanup(): Promise<void>;
}

/** Makes a fresh, empty store (its own key space) with the given options. */
export type CreateStore = (options?: ConversationStoreOptions) => Promise<StoreUnderTest>;

let clock = Date.now();

/** A fresh conversation key: nothing else in the suite uses it. */
/**
 * Changes an edit record handed out by a store. Edit records are values: a store may hand them
 * out frozen (the change then throws a TypeError) or as copies (the change is lost), never as
 * the stored object.
 */
function attemptOnEdit(change: () => void): void {
  try {
    change();
  } catch (error) {
    assert.ok(error instanceof TypeError, `a frozen edit refuses the change with a TypeError, not ${String(error)}`);
  }
}

export function freshKey(overrides: Partial<ConversationKey> = {}): ConversationKey {
  return { platform: 'telegram', chat: `chat-${randomUUID()}`, user: `user-${randomUUID()}`, ...overrides };
}

/** An edit record with strictly increasing `createdAt`, so "oldest" is well defined. */
export function makeEdit(id: string, parent?: string, extra: Partial<EditRecord> = {}): EditRecord {
  clock += 1;
  const original = 'a'.repeat(64);
  return {
    id,
    ...(parent === undefined ? {} : { parent }),
    originalHash: original,
    imageHash: parent === undefined ? original : createHash('sha256').update(id).digest('hex'),
    ...(parent === undefined
      ? {}
      : {
          target: 'sadness' as const,
          source: 'contentment' as const,
          intensity: 0.6,
          elements: ['color' as const],
          instruction: 'Please change the emotion of this image from contentment to sadness',
          seed: 42,
        }),
    messageIds: [],
    createdAt: clock,
    ...extra,
  };
}

/** Adds `edit` to the conversation and moves the cursor to it, as a new edit does. */
export function addEdit(conversation: Conversation, edit: EditRecord): void {
  conversation.edits[edit.id] = edit;
  conversation.cursor = edit.id;
  conversation.redo = [];
}

async function tinyPicture(red: number): Promise<Buffer> {
  return sharp({ create: { width: 4, height: 3, channels: 3, background: { r: red, g: 80, b: 160 } } })
    .png()
    .toBuffer();
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function runConversationStoreConformance(name: string, create: CreateStore): void {
  describe(`${name} conversation store (conformance)`, () => {
    const opened: StoreUnderTest[] = [];
    const open = async (options?: ConversationStoreOptions) => {
      const made = await create(options);
      opened.push(made);
      return made.store;
    };
    afterEach(async () => {
      for (const made of opened.splice(0)) await made.cleanup();
    });

    it('has nothing for a conversation it has never seen', async () => {
      const store = await open();
      assert.equal(await store.load(freshKey()), undefined);
    });

    it('keeps a tree of edits with branches, a cursor and a redo list', async () => {
      const store = await open();
      const key = freshKey({ thread: 'topic 7' });
      const root = makeEdit('root');
      const sadder = makeEdit('sadder', 'root');
      const scarier = makeEdit('scarier', 'root', { target: 'fear' });
      const evenSadder = makeEdit('even-sadder', 'sadder', { intensity: 0.8 });

      await store.update(key, (c) => addEdit(c, root));
      await store.update(key, (c) => addEdit(c, sadder));
      await store.update(key, (c) => addEdit(c, evenSadder));
      // A reply to the first picture branches from the root.
      await store.update(key, (c) => addEdit(c, scarier));
      // Undo walks back to the root and remembers the branch for redo.
      await store.update(key, (c) => {
        c.redo.push(c.cursor!);
        c.cursor = c.edits[c.cursor!]!.parent;
      });

      const loaded = await store.load(key);
      assert.ok(loaded, 'the conversation is there');
      assert.deepEqual(loaded.key, key);
      assert.deepEqual(loaded.edits, { root, sadder, 'even-sadder': evenSadder, scarier });
      assert.equal(loaded.cursor, 'root');
      assert.deepEqual(loaded.redo, ['scarier']);
      assert.equal(loaded.edits['even-sadder'].parent, 'sadder');
      assert.ok(loaded.updatedAt >= root.createdAt - 60_000 && loaded.updatedAt <= Date.now());
    });

    it('starts an update of a missing conversation from an empty one', async () => {
      const store = await open();
      const key = freshKey();
      const seen = await store.update(key, (c) =>
        structuredClone({ key: c.key, edits: c.edits, redo: c.redo, cursor: c.cursor }),
      );
      assert.deepEqual(seen, { key, edits: {}, redo: [], cursor: undefined });
      const loaded = await store.load(key);
      assert.ok(loaded, 'the empty conversation was stored');
      assert.deepEqual(loaded.edits, {});
    });

    it('returns what the change returns', async () => {
      const store = await open();
      const key = freshKey();
      await store.update(key, (c) => addEdit(c, makeEdit('root')));
      const count = await store.update(key, (c) => Object.keys(c.edits).length);
      assert.equal(count, 1);
    });

    it('leaves the stored conversation untouched when the change throws', async () => {
      const store = await open();
      const key = freshKey();
      await store.update(key, (c) => addEdit(c, makeEdit('root')));
      const before = await store.load(key);

      await assert.rejects(
        store.update(key, (c) => {
          addEdit(c, makeEdit('half-done', 'root'));
          c.edits.root = { ...c.edits.root!, messageIds: ['m-1'] };
          c.cursor = 'half-done';
          throw new Error('the renderer failed');
        }),
        /the renderer failed/,
      );
      assert.deepEqual(await store.load(key), before);

      const neverStored = freshKey();
      await assert.rejects(
        store.update(neverStored, () => {
          throw new RangeError('nope');
        }),
        RangeError,
      );
      assert.equal(await store.load(neverStored), undefined);
    });

    it('refuses a change that returns a promise, and stores nothing', async () => {
      const store = await open();
      const key = freshKey();
      await assert.rejects(
        store.update(key, async (c) => addEdit(c, makeEdit('root'))),
        /synchronously/,
      );
      assert.equal(await store.load(key), undefined);
    });

    it('hands out copies: changing a loaded conversation does not change the stored one', async () => {
      const store = await open();
      const key = freshKey();
      const returned = await store.update(key, (c) => {
        addEdit(c, makeEdit('root'));
        return c;
      });
      attemptOnEdit(() => returned.edits.root!.messageIds.push('sneaky'));
      returned.edits.other = makeEdit('other');
      returned.redo.push('root');
      const loaded = await store.load(key);
      attemptOnEdit(() => (loaded!.edits.root!.intensity = 1));
      loaded!.cursor = 'elsewhere';
      delete loaded!.edits.root;
      const again = await store.load(key);
      assert.deepEqual(Object.keys(again!.edits), ['root']);
      assert.deepEqual(again!.edits.root!.messageIds, []);
      assert.equal(again!.edits.root!.intensity, undefined);
      assert.equal(again!.cursor, 'root');
      assert.deepEqual(again!.redo, []);
    });

    it('keeps an edit replaced in an update, and the replacement only', async () => {
      const store = await open();
      const key = freshKey();
      await store.update(key, (c) => addEdit(c, makeEdit('root')));
      const replacement = await store.update(key, (c) => {
        c.edits.root = { ...c.edits.root!, intensity: 0.8 };
        return c.edits.root;
      });
      attemptOnEdit(() => (replacement.intensity = 0.1));
      const loaded = await store.load(key);
      assert.equal(loaded!.edits.root!.intensity, 0.8);
    });

    it('keeps the conversations of different people, threads and chats apart', async () => {
      const store = await open();
      const alice = freshKey();
      const bob = { ...alice, user: 'bob' };
      const aliceInThread = { ...alice, thread: 't1' };
      await store.update(alice, (c) => addEdit(c, makeEdit('alice-root')));
      await store.update(bob, (c) => addEdit(c, makeEdit('bob-root')));
      assert.deepEqual(Object.keys((await store.load(alice))!.edits), ['alice-root']);
      assert.deepEqual(Object.keys((await store.load(bob))!.edits), ['bob-root']);
      assert.equal(await store.load(aliceInThread), undefined);
      assert.equal(await store.load({ ...alice, platform: 'discord' }), undefined);
    });

    it('finds the edit a message shows again, in that chat only', async () => {
      const store = await open();
      const key = freshKey({ chat: `group:${randomUUID()}`, thread: 'topic: 7/8' });
      await store.update(key, (c) => {
        addEdit(c, makeEdit('root'));
        addEdit(c, makeEdit('sadder', 'root'));
      });
      await store.linkMessage(key, 'root', '100');
      await store.linkMessage(key, 'sadder', '101');

      assert.deepEqual(await store.findMessage(key.platform, key.chat, '101'), { key, editId: 'sadder' });
      assert.deepEqual(await store.findMessage(key.platform, key.chat, '100'), { key, editId: 'root' });
      // Someone else in the same chat replying to that picture finds it too.
      assert.equal((await store.findMessage(key.platform, key.chat, '101'))?.key.user, key.user);
      assert.equal(await store.findMessage(key.platform, `${key.chat}-other`, '101'), undefined);
      assert.equal(await store.findMessage('discord', key.chat, '101'), undefined);
      assert.equal(await store.findMessage(key.platform, key.chat, '102'), undefined);
    });

    it("links a message through update alone: the edits' messageIds are the index findMessage reads", async () => {
      const store = await open();
      const key = freshKey();
      await store.update(key, (c) => {
        addEdit(c, makeEdit('root', undefined, { messageIds: ['m-photo'] }));
        addEdit(c, makeEdit('sadder', 'root'));
      });
      assert.deepEqual(await store.findMessage(key.platform, key.chat, 'm-photo'), { key, editId: 'root' });
      await store.update(key, (c) => {
        c.edits.sadder = { ...c.edits.sadder!, messageIds: ['m-reply'] };
      });
      assert.deepEqual(await store.findMessage(key.platform, key.chat, 'm-reply'), { key, editId: 'sadder' });
      assert.deepEqual(await store.findMessage(key.platform, key.chat, 'm-photo'), { key, editId: 'root' });
    });

    it('records a linked message on the edit it shows, once', async () => {
      const store = await open();
      const key = freshKey();
      await store.update(key, (c) => addEdit(c, makeEdit('root')));
      await store.linkMessage(key, 'root', 'm-1');
      await store.linkMessage(key, 'root', 'm-1');
      await store.linkMessage(key, 'root', 'm-2');
      assert.deepEqual((await store.load(key))!.edits.root!.messageIds, ['m-1', 'm-2']);
    });

    it('stores a picture once by its content hash', async () => {
      const store = await open();
      const bytes = await tinyPicture(200);
      const hash = await store.pictures.put({ bytes, format: 'png', width: 4, height: 3 });
      assert.equal(hash, createHash('sha256').update(bytes).digest('hex'));
      assert.equal(await store.pictures.put({ bytes: Buffer.from(bytes), format: 'png', width: 4, height: 3 }), hash);

      const read = await store.pictures.get(hash);
      assert.ok(read, 'the picture is there');
      assert.ok(Buffer.isBuffer(read.bytes), 'bytes come back as a Buffer');
      assert.ok(read.bytes.equals(bytes), 'the bytes are the ones stored');
      assert.deepEqual(
        { format: read.format, width: read.width, height: read.height },
        { format: 'png', width: 4, height: 3 },
      );

      const other = await store.pictures.put({ bytes: await tinyPicture(10), format: 'png', width: 4, height: 3 });
      assert.notEqual(other, hash);
      assert.ok((await store.pictures.get(other))!.bytes.equals(await tinyPicture(10)));
      assert.equal(await store.pictures.get('f'.repeat(64)), undefined);
      assert.equal(await store.pictures.get('not a hash'), undefined);
    });

    describe('within a picture budget', () => {
      /** A stand-in picture of exactly 100 bytes: the budget counts bytes, whatever they are. */
      const picture = (name: string) => ({
        bytes: Buffer.from(name.padEnd(100, '.')),
        format: 'png' as const,
        width: 1,
        height: 1,
      });
      /** Stores a picture and makes it the conversation's new current edit (a root when `parent` is absent). */
      const editWith = async (
        store: ConversationStore,
        key: ConversationKey,
        name: string,
        original: string,
        parent?: string,
      ) => {
        const hash = await store.pictures.put(picture(name));
        const originalHash = parent === undefined ? hash : original;
        await store.update(key, (c) => addEdit(c, makeEdit(name, parent, { imageHash: hash, originalHash })));
        return hash;
      };
      const isStorageFull = (error: unknown) => {
        assert.ok(error instanceof UserError, `a UserError, not ${String(error)}`);
        assert.equal(error.code, ErrorCode.PictureStorageFull);
        return true;
      };

      it('evicts the pictures no current edit needs, longest unused first, and never a current edit or its original', async () => {
        const store = await open({ maxImageBytes: 450 });
        const alice = freshKey();
        const bob = freshKey();
        const a0 = await editWith(store, alice, 'a0', '');
        const a1 = await editWith(store, alice, 'a1', a0, 'a0');
        const a2 = await editWith(store, alice, 'a2', a0, 'a1'); // Alice's current edit: a2 from a0; a1 is history
        const b0 = await editWith(store, bob, 'b0', '');
        const x = await store.pictures.put(picture('x')); // 500 bytes > 450: one picture must go
        assert.equal(await store.pictures.get(a1), undefined, 'the picture of an edit that is no longer current goes');
        for (const kept of [a0, a2, b0, x])
          assert.ok(await store.pictures.get(kept), 'current edits, their originals and the new picture stay');
        // Everything stored is now needed by a current edit: a new picture is refused, plainly.
        await store.update(bob, (c) => addEdit(c, makeEdit('bx', 'b0', { imageHash: x, originalHash: b0 })));
        await assert.rejects(store.pictures.put(picture('y')), isStorageFull);
        for (const kept of [a0, a2, b0, x])
          assert.ok(await store.pictures.get(kept), 'a refused put evicts nothing that is needed');
        assert.ok(await store.pictures.put(picture('a2')), 'a picture already stored is no new bytes, and is accepted');
      });

      it('refuses a single picture bigger than the whole budget with the clear error', async () => {
        const store = await open({ maxImageBytes: 50 });
        await assert.rejects(store.pictures.put(picture('big')), isStorageFull);
      });

      it("frees a long conversation's older pictures before other conversations' pictures", async () => {
        const store = await open({ maxImageBytes: 700, picturesPerConversation: 1 });
        const bob = freshKey();
        const alice = freshKey();
        const b0 = await editWith(store, bob, 'b0', '');
        const b1 = await editWith(store, bob, 'b1', b0, 'b0');
        const b2 = await editWith(store, bob, 'b2', b0, 'b1'); // b1 is Bob's history, the longest unused of all
        const a0 = await editWith(store, alice, 'a0', '');
        const a1 = await editWith(store, alice, 'a1', a0, 'a0');
        const a2 = await editWith(store, alice, 'a2', a0, 'a1');
        const a3 = await editWith(store, alice, 'a3', a0, 'a2'); // Alice keeps a2 beyond her current edit; a1 is surplus
        const z = await store.pictures.put(picture('z'));
        assert.equal(await store.pictures.get(a1), undefined, 'the surplus of the long conversation goes first');
        for (const kept of [b0, b1, b2, a0, a2, a3, z]) assert.ok(await store.pictures.get(kept));
      });
    });

    it('forgets a conversation, its message links and a picture after their time to live', async () => {
      const store = await open({ ttlSeconds: 1, imageTtlSeconds: 1 });
      const key = freshKey();
      await store.update(key, (c) => addEdit(c, makeEdit('root')));
      await store.linkMessage(key, 'root', 'm-1');
      const hash = await store.pictures.put({ bytes: await tinyPicture(77), format: 'png', width: 4, height: 3 });
      assert.ok(await store.load(key));

      await sleep(1600);
      assert.equal(await store.load(key), undefined);
      assert.equal(await store.findMessage(key.platform, key.chat, 'm-1'), undefined);
      assert.equal(await store.pictures.get(hash), undefined);
      const restarted = await store.update(key, (c) => Object.keys(c.edits).length);
      assert.equal(restarted, 0, 'an expired conversation starts again from empty');
    });

    it('keeps a conversation and a picture alive while they are used', async () => {
      const store = await open({ ttlSeconds: 2, imageTtlSeconds: 2 });
      const key = freshKey();
      await store.update(key, (c) => addEdit(c, makeEdit('root')));
      await store.linkMessage(key, 'root', 'm-1');
      const hash = await store.pictures.put({ bytes: await tinyPicture(33), format: 'png', width: 4, height: 3 });

      await sleep(1200);
      await store.update(key, (c) => addEdit(c, makeEdit('sadder', 'root')));
      assert.ok(await store.pictures.get(hash));
      await sleep(1200);
      // 2.4 s after they were first stored, but only 1.2 s after they were last used.
      assert.deepEqual(Object.keys((await store.load(key))!.edits).sort(), ['root', 'sadder']);
      assert.equal((await store.findMessage(key.platform, key.chat, 'm-1'))?.editId, 'root');
      assert.ok(await store.pictures.get(hash));
    });

    it('drops the oldest edits beyond maxEdits but keeps the way back from the cursor and the redo list', async () => {
      const store = await open({ maxEdits: 4 });
      const key = freshKey();
      await store.update(key, (c) => {
        addEdit(c, makeEdit('root'));
        addEdit(c, makeEdit('old-branch', 'root'));
        addEdit(c, makeEdit('old-branch-tip', 'old-branch'));
      });
      await store.linkMessage(key, 'old-branch-tip', 'm-old');
      await store.update(key, (c) => {
        addEdit(c, makeEdit('a', 'root'));
        addEdit(c, makeEdit('b', 'a'));
        addEdit(c, makeEdit('c', 'b'));
        // Undo once: c goes to the redo list, the cursor to b.
        c.cursor = 'b';
        c.redo = ['c'];
      });
      const loaded = (await store.load(key))!;
      assert.deepEqual(Object.keys(loaded.edits).sort(), ['a', 'b', 'c', 'root']);
      assert.equal(loaded.cursor, 'b');
      assert.deepEqual(loaded.redo, ['c']);
      assert.equal(
        await store.findMessage(key.platform, key.chat, 'm-old'),
        undefined,
        'links to dropped edits go too',
      );

      // A new edit from the cursor: the oldest edit off the path (c, no longer in redo) makes room.
      await store.update(key, (c) => addEdit(c, makeEdit('d', 'b')));
      const after = (await store.load(key))!;
      assert.deepEqual(Object.keys(after.edits).sort(), ['a', 'b', 'd', 'root']);
      for (const edit of Object.values(after.edits)) {
        if (edit.parent !== undefined) assert.ok(after.edits[edit.parent], `${edit.id} still has its parent`);
      }
    });

    it('keeps every protected edit even when they alone exceed maxEdits', async () => {
      const store = await open({ maxEdits: 2 });
      const key = freshKey();
      await store.update(key, (c) => {
        addEdit(c, makeEdit('root'));
        addEdit(c, makeEdit('a', 'root'));
        addEdit(c, makeEdit('b', 'a'));
      });
      assert.deepEqual(Object.keys((await store.load(key))!.edits).sort(), ['a', 'b', 'root']);
    });

    it('loses no update when 20 run at once on one conversation', async () => {
      const store = await open();
      const key = freshKey();
      await store.update(key, (c) => addEdit(c, makeEdit('root')));
      const ids = Array.from({ length: 20 }, (_, i) => `edit-${i}`);
      await Promise.all(ids.map((id) => store.update(key, (c) => addEdit(c, makeEdit(id, 'root')))));
      const loaded = (await store.load(key))!;
      assert.deepEqual(Object.keys(loaded.edits).sort(), ['root', ...ids].sort());
    });
  });
}
