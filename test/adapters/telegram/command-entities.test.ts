/**
 * Telegram's `bot_command` entities: the adapter reads the command's name from the entity Telegram
 * marks (not by guessing from the text) and hands the engine the typed command, its arguments the
 * words after it; the engine does not parse the text again. Words without an entity stay text.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Message } from 'grammy/types';
import { readMessage, type BotIdentity } from '../../../adapters/telegram/read-message.ts';
import { parseCommand } from '../../../src/commands.ts';
import type { Turn } from '../../../src/turn.ts';
import type { FakeChat } from '../../fakes/telegram/fake-bot-api.ts';
import {
  answerToPhoto,
  botAnswers,
  isAnswerText,
  isPicture,
  startPrivateChat,
  type Harness,
} from './telegram-harness.ts';
import { CountingNormaliser } from '../../helpers/counting-normaliser.ts';

const bot: BotIdentity = { id: 42, username: 'MoodShiftBot' };
const group = { id: -100, type: 'supergroup', title: 'Club' } as const;
const ann = { id: 7, is_bot: false, first_name: 'Ann' };

function message(text: string, fields: Partial<Message> & Record<string, unknown> = {}): Message {
  const command = /^\/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?/.exec(text);
  const entities = command ? [{ type: 'bot_command' as const, offset: 0, length: command[0].length }] : [];
  return { message_id: 10, date: 0, chat: group, from: ann, text, entities, ...fields } as Message;
}

function commandOf(m: Message) {
  const reading = readMessage(m, bot);
  assert.equal(reading.kind, 'turn');
  return reading.kind === 'turn' ? reading.command : undefined;
}

describe('Telegram: command entities as typed commands', () => {
  it('reads the command the entity marks, with the words after it as arguments', () => {
    assert.deepEqual(commandOf(message('/block@MoodShiftBot fear channel')), {
      type: 'moderator',
      name: 'block',
      args: ['fear'],
      channelOnly: true,
    });
    assert.deepEqual(commandOf(message('/words add "a dark omen" gore')), {
      type: 'moderator',
      name: 'words',
      args: ['add', 'a dark omen', 'gore'],
      channelOnly: false,
    });
    assert.deepEqual(commandOf(message('/undo')), { type: 'person', name: 'undo', args: [] });
    assert.deepEqual(commandOf(message('/back')), { type: 'person', name: 'undo', args: [] }, 'an alias of the table');
    assert.deepEqual(commandOf(message('/mood much scarier')), { type: 'edit', feeling: 'much scarier' });
    // The typed command is what the strict parser makes of the same text.
    for (const text of [
      '/block@MoodShiftBot fear channel',
      '/words add "a dark omen" gore',
      '/undo',
      '/mood much scarier',
      '/ratelimit 3 20',
    ]) {
      assert.deepEqual(commandOf(message(text)), parseCommand(text), text);
    }
  });

  it('takes the bot mention out of the arguments', () => {
    const text = '/block fear @MoodShiftBot';
    const m = message(text, {
      entities: [
        { type: 'bot_command', offset: 0, length: 6 },
        { type: 'mention', offset: text.indexOf('@'), length: 13 },
      ],
    });
    assert.deepEqual(commandOf(m), { type: 'moderator', name: 'block', args: ['fear'], channelOnly: false });
  });

  it('reads the command of a caption', () => {
    const photo = [{ file_id: 'p', file_unique_id: 'p', width: 10, height: 10, file_size: 100 }];
    const m = message('', {
      text: undefined,
      entities: undefined,
      photo,
      caption: '/mood sadder',
      caption_entities: [{ type: 'bot_command', offset: 0, length: 5 }],
    });
    const reading = readMessage(m, bot);
    assert.ok(reading.kind === 'turn' && reading.image, 'the photo is kept');
    assert.deepEqual(reading.command, { type: 'edit', feeling: 'sadder' });
  });

  it('gives no command for words without an entity, or a command the table does not know', () => {
    assert.equal(
      commandOf(message('/undo', { chat: { id: 7, type: 'private', first_name: 'Ann' }, entities: [] })),
      undefined,
    );
    const unknown = readMessage(message('/frobnicate now'), bot);
    assert.ok(unknown.kind === 'turn');
    assert.ok(!('command' in unknown), 'no command key at all');
    assert.equal(unknown.text, '/frobnicate now', 'the words still go on');
  });
});

describe('Telegram: a command reaches the Editor typed, end to end', () => {
  let h: Harness;
  let chat: FakeChat;
  let photo: Buffer;
  const normaliser = new CountingNormaliser();
  const turns: Turn[] = [];

  before(async () => {
    ({ h, chat, photo } = await startPrivateChat({ parts: { normaliser } }));
    const editor = h.engine.editor as unknown as { handle: (turn: Turn, ...rest: unknown[]) => Promise<unknown> };
    const handle = editor.handle.bind(editor);
    editor.handle = (turn, ...rest) => {
      turns.push(turn);
      return handle(turn, ...rest);
    };
  });
  after(() => h.close());

  it('answers /emotions from its entity, reading no words', async () => {
    const answer = await botAnswers(
      h.fake,
      chat,
      () => h.fake.userSendsText('/emotions'),
      isAnswerText,
      'the emotion list',
    );
    assert.match(answer.text ?? '', /sadness/);
    assert.deepEqual(turns.at(-1)!.command, { type: 'person', name: 'emotions', args: [] });
    assert.deepEqual(normaliser.read, []);
  });

  it('edits a photo captioned /mood sadder, reading only "sadder"', async () => {
    const { answer } = await answerToPhoto(
      h.fake,
      chat,
      photo,
      { caption: '/mood sadder' },
      isPicture,
      'the edited picture',
    );
    assert.match(answer.caption ?? '', /→ sadness/);
    assert.deepEqual(turns.at(-1)!.command, { type: 'edit', feeling: 'sadder' });
    assert.deepEqual(normaliser.read, ['sadder']);
  });
});
