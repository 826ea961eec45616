/**
 * Typed commands on a `Turn` (`turn.command`): what a platform already knows as a command reaches
 * the Editor as it is. The Editor takes it over the text (which it does not parse again), reads
 * words only where the command carries the person's own (an edit's feeling), and still takes
 * moderator commands only from a typed command or the strict parser, never from the normaliser.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import sharp from 'sharp';
import { parseCommand, type TurnCommand } from '../../src/commands.ts';
import { Editor } from '../../src/editor.ts';
import { INTENSITY } from '../../src/intent.ts';
import type { Moderation, ModeratorCommand } from '../../src/moderation/moderation.ts';
import { KnowledgePlanner } from '../../src/planner/knowledge-planner.ts';
import { ToneRenderer } from '../../src/renderer/tone-renderer.ts';
import { MemoryConversationStore } from '../../src/store/memory-store.ts';
import type { Reply, Turn } from '../../src/turn.ts';
import { CountingNormaliser } from '../helpers/counting-normaliser.ts';

let photo: Buffer;
before(async () => {
  photo = await sharp(readFileSync(new URL('../fixtures/images/astronaut.png', import.meta.url)))
    .resize(120)
    .png()
    .toBuffer();
});

function moderationRecording(commands: ModeratorCommand[]): Moderation {
  return {
    effectivePolicy: async () => {
      throw new Error('unused');
    },
    checkRequest: async (_context, request) => request.intensity,
    checkPlan: async () => {},
    runCommand: async (_context, command) => {
      commands.push(command);
      return 'done';
    },
    readAudit: async () => [],
  };
}

function setUp(moderation?: Moderation) {
  const normaliser = new CountingNormaliser();
  const editor = new Editor({
    store: new MemoryConversationStore(),
    normaliser,
    planner: new KnowledgePlanner(),
    renderer: new ToneRenderer(),
    moderation,
  });
  let message = 0;
  const say = async (
    text: string,
    extra: { command?: TurnCommand; image?: Buffer; moderator?: boolean } = {},
  ): Promise<Reply> => {
    const turn: Turn = {
      key: { platform: 'test', chat: 'c', user: 'u' },
      messageId: `m${++message}`,
      text,
      images: extra.image ? [{ declaredBytes: extra.image.length, fetch: async () => extra.image! }] : [],
      actor: { id: 'u', name: 'Tester', isModerator: extra.moderator ?? false },
      ...(extra.command ? { command: extra.command } : {}),
    };
    const replies = await editor.handle(turn);
    assert.equal(replies.length, 1);
    return replies[0]!;
  };
  return { normaliser, editor, say };
}

describe('Editor: typed commands on the turn', () => {
  it('makes an edit from a typed emotion, intensity and element without reading any words', async () => {
    const { normaliser, say } = setUp();
    const reply = await say('', {
      image: photo,
      command: { type: 'edit', emotion: 'fear', intensity: 'low', element: 'color' },
    });
    assert.equal(reply.kind, 'edit', reply.text);
    assert.match(reply.text, /→ fear · subtle/, `the low intensity picked (${INTENSITY.low}) is the one used`);
    assert.deepEqual(normaliser.read, [], 'no words were read');
  });

  it("reads only the person's own feeling words of a typed edit, at the intensity picked", async () => {
    const { normaliser, say } = setUp();
    const reply = await say('make it very sad', {
      image: photo,
      command: { type: 'edit', feeling: 'make it very sad', intensity: 'low' },
    });
    assert.match(reply.text, /→ sadness · subtle/, 'the picked intensity wins over "very"');
    assert.deepEqual(normaliser.read, ['make it very sad'], 'the feeling is read once, as the person wrote it');
  });

  it('takes the typed command over the text, which it does not parse', async () => {
    const { normaliser, say } = setUp();
    await say('', { image: photo, command: { type: 'edit', emotion: 'sadness' } });
    const undone = await say('make it happy', { command: { type: 'person', name: 'undo', args: [] } });
    assert.equal(undone.kind, 'edit');
    assert.match(undone.text, /^Undo: /);
    assert.deepEqual(normaliser.read, [], 'neither the text nor the command was read as words');
  });

  it('passes a typed moderator command to moderation as it is: each argument whole, the channel flag set', async () => {
    const commands: ModeratorCommand[] = [];
    const { normaliser, say } = setUp(moderationRecording(commands));
    const typed: TurnCommand = {
      type: 'moderator',
      name: 'words',
      args: ['add', 'say "cheese"', 'a dark omen'],
      channelOnly: true,
    };
    const reply = await say('', { command: typed, moderator: true });
    assert.equal(reply.private, true);
    assert.deepEqual(commands, [{ name: 'words', args: ['add', 'say "cheese"', 'a dark omen'], channelOnly: true }]);
    // The same command typed as text reaches moderation the same way.
    await say('/words add \'say "cheese"\' "a dark omen" channel', { moderator: true });
    assert.deepEqual(commands[1], commands[0]);
    assert.deepEqual(normaliser.read, []);
  });

  it('never makes a moderator command of free text, whatever the normaliser reads in it', async () => {
    const commands: ModeratorCommand[] = [];
    const { normaliser, say } = setUp(moderationRecording(commands));
    for (const text of ['please block fear', 'block fear', 'words add gore', 'ban 1234', '/mood block fear'])
      await say(text, { moderator: true });
    assert.deepEqual(commands, [], 'free text never reaches the moderator commands');
    assert.ok(normaliser.read.length >= 4, 'the words went to the normaliser');
    assert.equal(parseCommand('/mood block fear')?.type, 'edit', 'words after /mood are a feeling, never a command');
  });
});
