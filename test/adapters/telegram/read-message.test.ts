/**
 * How the adapter reads a Telegram message: whether it is for the bot, its words, its picture.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Message } from 'grammy/types';
import { readMessage, type BotIdentity } from '../../../adapters/telegram/read-message.ts';

const bot: BotIdentity = { id: 42, username: 'MoodShiftBot' };
const group = { id: -100, type: 'supergroup', title: 'Club' } as const;
const dm = { id: 7, type: 'private', first_name: 'Ann' } as const;
const ann = { id: 7, is_bot: false, first_name: 'Ann' };

type ReplyMessage = NonNullable<Message['reply_to_message']>;
function message(fields: Partial<Message> & Record<string, unknown>): Message & ReplyMessage {
  return { message_id: 10, date: 0, chat: dm, from: ann, ...fields } as Message & ReplyMessage;
}
const photo = [
  { file_id: 'small', file_unique_id: 's', width: 90, height: 60, file_size: 900 },
  { file_id: 'large', file_unique_id: 'l', width: 1280, height: 853, file_size: 90_000 },
  { file_id: 'medium', file_unique_id: 'm', width: 320, height: 213, file_size: 9000 },
];

describe('reading a Telegram message', () => {
  it('takes every private message as meant for the bot', () => {
    assert.deepEqual(readMessage(message({ text: 'make it sadder' }), bot), {
      kind: 'turn',
      text: 'make it sadder',
      image: undefined,
      replyTo: undefined,
      mediaGroupId: undefined,
    });
  });

  it('ignores group chatter that does not address the bot', () => {
    assert.deepEqual(readMessage(message({ chat: group, text: 'make it sadder' }), bot), { kind: 'ignore' });
  });

  it('answers a group message that mentions the bot, without the mention in the words', () => {
    const text = '@moodshiftbot, make it sadder';
    const reading = readMessage(
      message({ chat: group, text, entities: [{ type: 'mention', offset: 0, length: 13 }] }),
      bot,
    );
    assert.equal(reading.kind === 'turn' && reading.text, 'make it sadder');
  });

  it('answers a group reply to the bot and commands, but not commands for another bot', () => {
    const reply = message({
      chat: group,
      text: 'more',
      reply_to_message: message({ message_id: 3, from: { id: 42, is_bot: true, first_name: 'bot' } }),
    });
    assert.equal(readMessage(reply, bot).kind, 'turn');
    const own = message({
      chat: group,
      text: '/undo@MoodShiftBot',
      entities: [{ type: 'bot_command', offset: 0, length: 18 }],
    });
    assert.equal(readMessage(own, bot).kind, 'turn');
    const other = message({
      chat: group,
      text: '/undo@OtherBot',
      entities: [{ type: 'bot_command', offset: 0, length: 14 }],
    });
    assert.deepEqual(readMessage(other, bot), { kind: 'ignore' });
  });

  it('takes the largest size of a photo, with its caption as the words', () => {
    const reading = readMessage(message({ photo, caption: 'scarier' }), bot);
    assert.ok(reading.kind === 'turn');
    assert.equal(reading.image?.fileId, 'large');
    assert.equal(reading.image?.declaredBytes, 90_000);
    assert.equal(reading.text, 'scarier');
  });

  it('takes a picture sent as a file, and explains a file that is not a picture', () => {
    const png = readMessage(
      message({
        document: { file_id: 'd', file_unique_id: 'd', file_name: 'cat.png', mime_type: 'image/png', file_size: 5 },
      }),
      bot,
    );
    assert.equal(png.kind === 'turn' && png.image?.fileId, 'd');
    const text = readMessage(
      message({ document: { file_id: 't', file_unique_id: 't', file_name: 'notes.txt', mime_type: 'text/plain' } }),
      bot,
    );
    assert.equal(text.kind, 'explain');
    assert.match(text.kind === 'explain' ? text.text : '', /text files/);
  });

  it('explains stickers and voice messages', () => {
    const sticker = readMessage(
      message({
        sticker: {
          file_id: 's',
          file_unique_id: 's',
          type: 'regular',
          width: 512,
          height: 512,
          is_animated: false,
          is_video: false,
        },
      }),
      bot,
    );
    assert.match(sticker.kind === 'explain' ? sticker.text : '', /stickers/);
    const voice = readMessage(message({ voice: { file_id: 'v', file_unique_id: 'v', duration: 1 } }), bot);
    assert.match(voice.kind === 'explain' ? voice.text : '', /voice messages/);
  });

  it("uses the photo a message replies to when it has none, unless that photo is the bot's", () => {
    const theirs = message({ message_id: 5, from: { id: 8, is_bot: false, first_name: 'Bo' }, photo });
    const reading = readMessage(message({ text: 'calmer', reply_to_message: theirs }), bot);
    assert.equal(reading.kind === 'turn' && reading.image?.fileId, 'large');
    const ours = message({ message_id: 6, from: { id: 42, is_bot: true, first_name: 'bot' }, photo });
    const onOurs = readMessage(message({ text: 'calmer', reply_to_message: ours }), bot);
    assert.ok(onOurs.kind === 'turn');
    assert.equal(onOurs.image, undefined, "a reply to the bot's picture acts on its edit instead");
    assert.equal(onOurs.replyTo, 6);
  });

  it('ignores service messages', () => {
    assert.deepEqual(readMessage(message({ new_chat_members: [ann] }), bot), { kind: 'ignore' });
  });
});

describe('logging Telegram errors', () => {
  it('keeps the uploaded picture and the token out of the log line', async () => {
    const { GrammyError } = await import('grammy');
    const { serializeTelegramError } = await import('../../../adapters/telegram/index.ts');
    const refusal = new GrammyError(
      'Call to sendPhoto failed!',
      { ok: false, error_code: 400, description: 'Bad Request: PHOTO_INVALID_DIMENSIONS' },
      'sendPhoto',
      { chat_id: 1, photo: { bytes: Buffer.alloc(1000) }, token: '123:secret' },
    );
    const line = JSON.stringify(serializeTelegramError(refusal));
    assert.match(line, /PHOTO_INVALID_DIMENSIONS/);
    assert.match(line, /sendPhoto/);
    assert.doesNotMatch(line, /secret|"bytes"/);
  });
});
