/**
 * End-to-end: the real grammY bot (through `startTelegram`) and the real engine (rules
 * normaliser, knowledge planner, tone renderer, memory store) against the fake Bot API.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import type { FakeChat, FakeMessage } from '../../fakes/telegram/fake-bot-api.ts';
import {
  answerToPhoto,
  botAnswers,
  button,
  buttonsOf,
  isAnswerText,
  isPicture,
  pictureBytes,
  smallPhoto,
  startPrivateChat,
  type Harness,
} from './telegram-harness.ts';

describe('Telegram: editing a photo in a private chat', () => {
  let h: Harness;
  let chat: FakeChat;
  let photo: Buffer;
  let sadder: FakeMessage;

  before(async () => {
    ({ h, chat, photo } = await startPrivateChat());
  });
  after(() => h.close());

  it('answers a photo with "make this sadder" with an edited photo replying to it', async () => {
    const { sent, answer } = await answerToPhoto(
      h.fake,
      chat,
      photo,
      { caption: 'make this sadder' },
      isPicture,
      'the sadder picture',
    );
    sadder = answer;
    assert.ok(sadder.photo, 'sent as a photo');
    assert.equal(sadder.reply_to_message?.message_id, sent.message_id);
    assert.match(sadder.caption ?? '', /sadness/);
    assert.notDeepEqual(pictureBytes(h.fake, sadder), photo, 'the picture changed');
    const labels = [...buttonsOf(sadder).keys()];
    for (const label of ['More', 'Less', 'Undo', 'Try again'])
      assert.ok(labels.includes(label), `has ${label}: ${labels.join(', ')}`);
    assert.ok(
      labels.some((l) => l.includes('fear')),
      'offers other emotions',
    );
    assert.ok(!labels.some((l) => l.includes('sadness')), 'not the emotion it already has');
  });

  it('registers the command list with setMyCommands', () => {
    const commands = h.fake.commands.get('default')?.map((c) => c.command) ?? [];
    for (const name of ['start', 'help', 'emotions', 'undo', 'redo', 'reset']) assert.ok(commands.includes(name), name);
    assert.ok(!commands.includes('block'), 'moderator commands are not shown to everyone');
    const forAdmins = h.fake.commands.get('all_chat_administrators')?.map((c) => c.command) ?? [];
    for (const name of ['policy', 'block', 'unblock', 'audit']) assert.ok(forAdmins.includes(name), name);
  });

  it('makes a stronger edit when "more" replies to the picture', async () => {
    const stronger = await botAnswers(
      h.fake,
      chat,
      () => h.fake.userSendsText('more', { replyTo: sadder }),
      isPicture,
      'the stronger picture',
    );
    assert.match(stronger.caption ?? '', /sadness · strong/);
    assert.match(sadder.caption ?? '', /sadness · moderate/);
    assert.notDeepEqual(pictureBytes(h.fake, stronger), pictureBytes(h.fake, sadder));
  });

  it('brings back the previous edit with the Undo button, answering the button at once', async () => {
    const latest = h.fake.botMessages(chat).filter(isPicture).at(-1)!;
    let queryId = '';
    const undone = await botAnswers(
      h.fake,
      chat,
      () => {
        queryId = h.fake.userPressesButton(latest, button(latest, 'Undo'));
      },
      isPicture,
      'the undone picture',
    );
    assert.ok(h.fake.wasAnswered(queryId), 'the button press was answered');
    const answered = h.fake.callsOf('answerCallbackQuery').find((c) => c.params.callback_query_id === queryId)!;
    const photoSent = h.fake.callsOf('sendPhoto').at(-1)!;
    assert.ok(answered.sequence < photoSent.sequence, 'answered before the picture was sent');
    assert.match(undone.caption ?? '', /sadness · moderate/);
    assert.deepEqual(pictureBytes(h.fake, undone), pictureBytes(h.fake, sadder), 'the same picture as before');
    assert.equal(
      undone.reply_to_message?.message_id,
      latest.message_id,
      'replies to the message whose button was pressed',
    );
    assert.ok(buttonsOf(undone).has('Redo'), 'offers Redo after an undo');
  });

  it('starts a new edit when another photo comes with "make this sadder" after a sad edit', async () => {
    const other = await smallPhoto('coffee.png');
    const edited = await botAnswers(
      h.fake,
      chat,
      () => h.fake.userSendsPhoto(other, { caption: 'make this sadder' }),
      (m) => isPicture(m) || isAnswerText(m),
      'the answer',
    );
    assert.ok(isPicture(edited), `an edited picture, not: ${edited.text}`);
    assert.match(edited.caption ?? '', /sadness · moderate/);
  });

  it('asks for a feeling when a photo comes alone, and edits with the emotion button', async () => {
    const question = await botAnswers(h.fake, chat, () => h.fake.userSendsPhoto(photo), isAnswerText, 'the question');
    assert.match(question.text ?? '', /How should it feel/);
    const fearful = await botAnswers(
      h.fake,
      chat,
      () => h.fake.userPressesButton(question, button(question, '😱 fear')),
      isPicture,
      'the fearful picture',
    );
    assert.match(fearful.caption ?? '', /fear/);
  });

  it('edits a picture sent as a file (uncompressed)', async () => {
    const png = await sharp(photo).png().toBuffer();
    const edited = await botAnswers(
      h.fake,
      chat,
      () => h.fake.userSendsDocument(png, { fileName: 'cat.png', mimeType: 'image/png', caption: 'make it calm' }),
      isPicture,
      'the calm picture',
    );
    assert.match(edited.caption ?? '', /contentment/);
  });

  it('uses the first picture of an album and says so', async () => {
    const other = await smallPhoto('coffee.png');
    const answer = await botAnswers(
      h.fake,
      chat,
      async () => {
        await h.fake.userSendsPhoto(photo, { caption: 'scarier', mediaGroupId: 'album-1' });
        await h.fake.userSendsPhoto(other, { mediaGroupId: 'album-1' });
      },
      isPicture,
      'the album edit',
    );
    assert.match(answer.caption ?? '', /first picture/);
    // One answer for the whole album: nothing more comes after a later message is answered.
    const next = await botAnswers(h.fake, chat, () => h.fake.userSendsText('/help'), isAnswerText, 'the help text');
    const pictures = h.fake
      .botMessages(chat)
      .filter((m) => isPicture(m) && m.message_id > answer.message_id && m.message_id < next.message_id);
    assert.deepEqual(pictures, [], 'the second picture of the album got no answer');
  });

  it('explains that stickers, videos and voice messages can not be edited', async () => {
    for (const kind of ['sticker', 'video', 'voice'] as const) {
      const answer = await botAnswers(
        h.fake,
        chat,
        () => h.fake.userSendsMedia(kind),
        isAnswerText,
        `the answer to a ${kind}`,
      );
      assert.match(answer.text ?? '', /can't edit/);
    }
  });

  it('sends a picture above the photo limits as a document', async () => {
    // 2100 × 100 is wider than Telegram's 20:1 ratio for photos; the edit keeps the size.
    const strip = await sharp(photo).resize(2100, 100, { fit: 'fill' }).png().toBuffer();
    const edited = await botAnswers(
      h.fake,
      chat,
      () => h.fake.userSendsDocument(strip, { fileName: 'strip.png', mimeType: 'image/png', caption: 'sadder' }),
      isPicture,
      'the wide picture',
    );
    assert.ok(edited.document, 'sent as a document');
    assert.equal(edited.photo, undefined);
    assert.ok(buttonsOf(edited).has('More'), 'with the same buttons');
  });
});
