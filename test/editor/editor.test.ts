import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { describe, it, before } from 'node:test';
import sharp from 'sharp';
import { Editor } from '../../src/editor.ts';
import { EMOTIONS } from '../../src/emotions.ts';
import { ErrorCode, UserError } from '../../src/errors.ts';
import { helpText, userMessage } from '../../src/messages.ts';
import { createModeration } from '../../src/moderation/create-moderation.ts';
import type { Moderation } from '../../src/moderation/moderation.ts';
import { RulesNormaliser } from '../../src/normaliser/rules-normaliser.ts';
import { KnowledgePlanner } from '../../src/planner/knowledge-planner.ts';
import { ToneRenderer } from '../../src/renderer/tone-renderer.ts';
import { MemoryConversationStore } from '../../src/store/memory-store.ts';
import type { ButtonAction, ConversationKey, Progress, Reply, Turn } from '../../src/turn.ts';

let photo: Buffer;

before(async () => {
  // A small copy of a real photograph keeps the conversation quick on a 2-core machine.
  photo = await sharp(readFileSync(new URL('../fixtures/images/astronaut.png', import.meta.url)))
    .resize(160)
    .png()
    .toBuffer();
});

/** The store of each editor `makeEditor` made, for the tests that look at what it saved. */
const stores = new WeakMap<Editor, MemoryConversationStore>();
function storeOf(editor: Editor): MemoryConversationStore {
  const store = stores.get(editor);
  if (!store) throw new Error('an editor made without makeEditor');
  return store;
}

function makeEditor(moderation?: Moderation): Editor {
  const store = new MemoryConversationStore();
  const editor = new Editor({
    store,
    normaliser: new RulesNormaliser(),
    planner: new KnowledgePlanner(),
    renderer: new ToneRenderer(),
    moderation,
  });
  stores.set(editor, store);
  return editor;
}

/** A person talking to the bot the way an adapter would report it, linking every picture the bot sends. */
class Person {
  #message = 0;
  readonly key: ConversationKey;
  constructor(
    readonly editor: Editor,
    user = `user-${Math.random().toString(36).slice(2)}`,
  ) {
    this.key = { platform: 'test', chat: 'chat-1', user };
  }
  async say(
    text: string,
    options: {
      image?: Buffer;
      replyTo?: string;
      action?: ButtonAction & { editId?: string };
      progress?: Progress[];
    } = {},
  ): Promise<Reply & { messageId?: string }> {
    const turn: Turn = {
      key: this.key,
      messageId: `in-${++this.#message}`,
      text,
      replyTo: options.replyTo,
      images: options.image ? [{ declaredBytes: options.image.length, fetch: async () => options.image! }] : [],
      actor: { id: this.key.user, name: 'Tester', isModerator: false },
      action: options.action,
    };
    // Sent as an adapter sends it: a picture's message is linked to its edit by the Editor.
    const messageId = `bot-${this.#message}`;
    const replies = await this.editor.handle(turn, {
      progress: (p) => options.progress?.push(p),
      send: async (sent) => (sent.image ? messageId : undefined),
    });
    assert.equal(replies.length, 1, 'one reply per turn');
    const reply = replies[0]!;
    if (reply.editId && reply.image) return { ...reply, messageId };
    return reply;
  }
}

async function meanDifference(a: Buffer, b: Buffer): Promise<number> {
  const [x, y] = await Promise.all(
    [a, b].map((img) => sharp(img).resize(32, 32, { fit: 'fill' }).removeAlpha().raw().toBuffer()),
  );
  let sum = 0;
  for (let i = 0; i < x!.length; i++) sum += Math.abs(x![i]! - y![i]!);
  return sum / x!.length;
}

describe('Editor conversation semantics', () => {
  it("answers in the person's language where the adapter knows it", async () => {
    const editor = makeEditor();
    const turn = (text: string, locale?: string): Turn => ({
      key: { platform: 'test', chat: 'c', user: 'u-fr' },
      messageId: 'm1',
      text,
      images: [],
      actor: { id: 'u-fr', name: 'Amélie', isModerator: false },
      locale,
    });
    const [english] = await editor.handle(turn('/help'));
    const [french] = await editor.handle(turn('/help', 'fr-FR'));
    assert.notEqual(french!.text, english!.text);
    assert.equal(french!.text, helpText('fr', { platform: 'test', moderator: false }));
    const [noPhoto] = await editor.handle(turn('make it sadder', 'fr'));
    assert.equal(noPhoto!.code, ErrorCode.NoImage);
    assert.equal(noPhoto!.text, userMessage(new UserError(ErrorCode.NoImage), 'fr'));
  });

  it('carries a conversation of many turns with refinements, undo/redo, a branch, reset and buttons', async () => {
    const person = new Person(makeEditor());

    // 1. A photo alone is kept; the bot asks for a feeling and offers the emotions.
    const asked = await person.say('', { image: photo });
    assert.equal(asked.kind, 'ask');
    assert.equal(asked.emotions.length, 8);

    // 2. Text alone acts on that photo.
    const progress: Progress[] = [];
    const sad = await person.say('make this sadder', { progress });
    assert.equal(sad.kind, 'edit', sad.text);
    assert.match(sad.text, /→ sadness · moderate/);
    assert.ok(sad.image && sad.image.bytes.length > 0);
    assert.deepEqual(
      progress.map((p) => p.stage).filter((s, i, all) => all.indexOf(s) === i),
      ['planning', 'rendering', 'done'],
      'progress is reported in order',
    );
    assert.ok(sad.actions.includes('more') && sad.actions.includes('less') && sad.actions.includes('undo'));
    assert.ok(!sad.emotions.includes('sadness'));
    assert.ok((await meanDifference(sad.image!.bytes, photo)) > 1, 'the edit changes the picture');

    // 3. More re-renders the same target stronger, from the original.
    const stronger = await person.say('more');
    assert.match(stronger.text, /→ sadness · strong/);
    assert.ok(
      (await meanDifference(stronger.image!.bytes, photo)) > (await meanDifference(sad.image!.bytes, photo)),
      'more moves further from the original',
    );

    // 4. Less comes back to the same picture as step 2: rendered from the original, never stacked.
    const weaker = await person.say('a bit less');
    assert.match(weaker.text, /→ sadness · moderate/);
    assert.ok(weaker.image!.bytes.equals(sad.image!.bytes), 'same target, intensity and seed give the same picture');

    // 5./6. Undo shows the stronger one again; redo brings back the weaker one.
    const undone = await person.say('undo');
    assert.equal(undone.editId, stronger.editId);
    assert.ok(undone.actions.includes('redo'));
    const redone = await person.say('redo');
    assert.equal(redone.editId, weaker.editId);

    // 7. Try again: same target and intensity, a new edit.
    const retried = await person.say('try again');
    assert.match(retried.text, /→ sadness · moderate/);
    assert.notEqual(retried.editId, weaker.editId);

    // 8. Replying to the first sad picture branches from it.
    const calm = await person.say('now make it calm', { replyTo: sad.messageId });
    assert.match(calm.text, /→ contentment/);
    const conversation = await storeOf(person.editor).load(person.key);
    assert.equal(conversation!.edits[calm.editId!]!.parent, sad.editId, 'the branch hangs off the replied-to edit');
    assert.equal(conversation!.cursor, calm.editId);

    // 9. Undo on the branch walks back to the edit it came from.
    const backToSad = await person.say('go back');
    assert.equal(backToSad.editId, sad.editId);

    // 10. A button on the calm picture acts on that picture, wherever the cursor is.
    const calmer = await person.say('', { action: { kind: 'more', editId: calm.editId! }, replyTo: calm.messageId });
    assert.match(calmer.text, /→ contentment · strong/);
    assert.equal((await storeOf(person.editor).load(person.key))!.edits[calmer.editId!]!.parent, calm.editId);

    // 11. Another emotion from a chip.
    const scary = await person.say('', { action: { kind: 'emotion', emotion: 'fear', editId: calmer.editId! } });
    assert.match(scary.text, /→ fear/);

    // 12. Start over returns the original photo.
    const original = await person.say('start over');
    assert.equal(original.kind, 'edit');
    assert.match(original.text, /original/i);
    assert.equal(original.editId, asked.editId);

    // 13. Help and anything else.
    assert.equal((await person.say('help')).kind, 'info');
    assert.equal((await person.say('/emotions')).kind, 'info');
    const puzzled = await person.say('qwertyuiop zxcv');
    assert.equal(puzzled.kind, 'ask');
  });

  it('says in each reply which edit it shows and where that edit sits in the tree', async () => {
    const person = new Person(makeEditor());
    const asked = await person.say('', { image: photo });
    assert.deepEqual(asked.edit, { id: asked.editId, rootId: asked.editId, depth: 0, canUndo: false, canRedo: false });
    const sad = await person.say('make this sadder');
    assert.deepEqual(sad.edit, {
      id: sad.editId,
      target: 'sadness',
      source: sad.edit!.source,
      intensity: sad.edit!.intensity,
      parentId: asked.editId,
      rootId: asked.editId,
      depth: 1,
      canUndo: true,
      canRedo: false,
    });
    assert.ok(sad.edit!.intensity! > 0.1 && sad.edit!.intensity! < 1);
    assert.ok(EMOTIONS.includes(sad.edit!.source!), 'the feeling the photo read as');
    const stronger = await person.say('more');
    assert.equal(stronger.edit!.depth, 2);
    assert.equal(stronger.edit!.parentId, sad.editId);
    assert.equal(stronger.edit!.rootId, asked.editId);
    assert.ok(stronger.edit!.intensity! > sad.edit!.intensity!);
    const undone = await person.say('undo');
    assert.equal(undone.edit!.id, sad.editId);
    assert.equal(undone.edit!.canRedo, true);
    assert.equal(undone.edit!.canRedo, undone.actions.includes('redo'));
    const original = await person.say('start over');
    assert.equal(original.edit!.id, asked.editId);
    assert.equal(original.edit!.depth, 0);
    assert.equal(original.edit!.target, undefined);
    // An answer that shows no edit has none.
    const help = await person.say('help');
    assert.equal(help.edit, undefined);
  });

  it('sends each reply through the adapter and links the messages it names; what send throws is passed on', async () => {
    const editor = makeEditor();
    const key: ConversationKey = { platform: 'test', chat: 'send-chat', user: 'sender' };
    const turn = (messageId: string, text: string, extra: Partial<Turn> = {}): Turn => ({
      key,
      messageId,
      text,
      images: [],
      actor: { id: 'sender', name: 'Sender', isModerator: false },
      ...extra,
    });
    const sent: Reply[] = [];
    const [edited] = await editor.handle(turn('m1', 'make it sadder', { images: [{ fetch: async () => photo }] }), {
      send: async (reply) => {
        sent.push(reply);
        return ['shown-1', 'shown-2'];
      },
    });
    assert.deepEqual(sent, [edited], 'the replies are sent as returned');
    const stored = await storeOf(editor).load(key);
    assert.deepEqual(stored!.edits[edited!.editId!]!.messageIds, ['shown-1', 'shown-2']);
    // A reply to either message acts on that edit.
    const [again] = await editor.handle(turn('m2', 'make it scarier', { replyTo: 'shown-2' }));
    assert.equal((await storeOf(editor).load(key))!.edits[again!.editId!]!.parent, edited!.editId);
    await assert.rejects(
      editor.handle(turn('m3', 'help'), {
        send: async () => {
          throw new Error('platform down');
        },
      }),
      /platform down/,
    );
  });

  it('starts a new edit from a photo sent with text', async () => {
    const person = new Person(makeEditor());
    const reply = await person.say('make it scarier', { image: photo });
    assert.equal(reply.kind, 'edit');
    assert.match(reply.text, /→ fear/);
    assert.equal(reply.image!.width, 160);
  });

  it('plans only what the renderer can change unless the person names the elements', async () => {
    const person = new Person(makeEditor());
    const sad = await person.say('make it sadder', { image: photo });
    const face = await person.say('make her face scarier');
    const edits = (await storeOf(person.editor).load(person.key))!.edits;
    assert.deepEqual(
      edits[sad.editId!]!.elements,
      ['facial', 'scene', 'color'],
      'the tone renderer with its vision models changes faces, scene, colour and light',
    );
    assert.deepEqual(edits[face.editId!]!.elements, ['facial']);
  });

  it('asks for a photo when there is none yet', async () => {
    const person = new Person(makeEditor());
    const reply = await person.say('make it sadder');
    assert.equal(reply.kind, 'error');
    assert.equal(reply.code, ErrorCode.NoImage);
    assert.equal((await person.say('undo')).code, ErrorCode.NothingToUndo);
  });

  it('refuses a broken picture with a clear message and keeps serving', async () => {
    const person = new Person(makeEditor());
    const broken = await person.say('make it sad', { image: photo.subarray(0, photo.length / 2) });
    assert.equal(broken.kind, 'error');
    assert.equal(broken.code, ErrorCode.ImageCorrupt);
    assert.match(broken.text, /broken|incomplete/i);
    const text = await person.say('make it sad', { image: Buffer.from('just some text, not a picture') });
    assert.equal(text.kind, 'error');
    assert.equal(text.code, ErrorCode.ImageFormatNotAllowed);
    assert.equal((await person.say('make it sad', { image: photo })).kind, 'edit');
  });

  it('says "nothing to undo" and "nothing to redo" at the ends of the history', async () => {
    const person = new Person(makeEditor());
    await person.say('', { image: photo });
    assert.equal((await person.say('undo')).code, ErrorCode.NothingToUndo);
    assert.equal((await person.say('redo')).code, ErrorCode.NothingToRedo);
    assert.equal((await person.say('more')).code, ErrorCode.NothingToRefine);
  });

  it('lets another person in the chat branch from someone else’s picture by replying to it', async () => {
    const editor = makeEditor();
    const alice = new Person(editor, 'alice');
    const bob = new Person(editor, 'bob');
    const sad = await alice.say('sadder', { image: photo });
    const scary = await bob.say('make it scary', { replyTo: sad.messageId });
    assert.match(scary.text, /→ fear/);
    assert.equal(
      (await storeOf(alice.editor).load(alice.key))!.cursor,
      sad.editId,
      "alice's conversation is untouched",
    );
  });

  it('refuses what moderation refuses, with its message, and renders nothing', async () => {
    let renders = 0;
    const moderation: Moderation = {
      effectivePolicy: async () => {
        throw new Error('unused');
      },
      checkRequest: async (_context, request) => {
        if (request.target === 'fear')
          throw new UserError(ErrorCode.EmotionBlocked, { emotion: 'fear', where: 'this server' });
        return request.intensity;
      },
      checkPlan: async () => {},
      runCommand: async () => 'ok',
      readAudit: async () => [],
    };
    const editor = makeEditor(moderation);
    const person = new Person(editor);
    editor.onTurn = (report) => {
      if (report.renderMs !== undefined) renders++;
    };
    const refused = await person.say('make it scary', { image: photo });
    assert.equal(refused.kind, 'error');
    assert.equal(refused.code, ErrorCode.EmotionBlocked);
    assert.equal(refused.text, 'A moderator has blocked fear in this server. Try another feeling.');
    assert.equal(renders, 0);
    assert.equal((await person.say('make it calm')).kind, 'edit');
    assert.equal(renders, 1);
  });

  it('refuses blocked words even in a message that names no feeling, and keeps no picture of it', async () => {
    const moderation = await createModeration();
    const person = new Person(makeEditor(moderation));
    const reply = await person.say('make it g o r y', { image: photo });
    assert.equal(reply.kind, 'error');
    assert.equal(reply.code, ErrorCode.WordBlocked);
    assert.doesNotMatch(reply.text, /g ?o ?r ?y/i);
    assert.equal(await storeOf(person.editor).load(person.key), undefined, 'the photo was not kept');
    const exported = new PassThrough();
    let lines = '';
    exported.on('data', (chunk: Buffer) => (lines += chunk.toString()));
    assert.equal(await moderation.exportAudit({}, exported), 1, 'the refusal is audited');
    assert.equal((JSON.parse(lines.trim()) as { rule: string }).rule, ErrorCode.WordBlocked);
    assert.doesNotMatch(lines, /g ?o ?r ?y/i);
    await moderation.close?.();
  });

  it('passes moderator commands only to moderation, marked private', async () => {
    const commands: string[] = [];
    const moderation: Moderation = {
      effectivePolicy: async () => {
        throw new Error('unused');
      },
      checkRequest: async (_c, r) => r.intensity,
      checkPlan: async () => {},
      runCommand: async (_context, command) => {
        commands.push(`${command.name} ${command.args.join(' ')}`);
        return 'Blocked fear here.';
      },
      readAudit: async () => [],
    };
    const person = new Person(makeEditor(moderation));
    const reply = await person.say('/block@moodshift_bot fear');
    assert.equal(reply.text, 'Blocked fear here.');
    assert.equal(reply.private, true);
    await person.say('please block fear');
    assert.deepEqual(commands, ['block fear'], 'free text never reaches the moderator commands');
  });
});
