/**
 * End-to-end in group chats: when the bot answers, moderator commands from administrators,
 * anonymous administrators and others, and the blocked-emotion refusal.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GROUP_ANONYMOUS_BOT, type FakeChat, type FakeUser } from '../../fakes/telegram/fake-bot-api.ts';
import { botAnswers, isAnswerText, isPicture, smallPhoto, startHarness, type Harness } from './telegram-harness.ts';

describe('Telegram: group chats', () => {
  let h: Harness;
  let group: FakeChat;
  let photo: Buffer;
  const mention = '@moodshift_test_bot';

  before(async () => {
    h = await startHarness();
    group = h.fake.group(-1001000000001, 'Photo club');
    h.fake.setChatMember(group, h.fake.alice, 'administrator');
    h.fake.setChatMember(group, h.fake.bob, 'member');
    photo = await smallPhoto();
  });
  after(() => h.close());

  /** `user` asks the bot, mentioning it, to edit the photo in the group. */
  const ask = (user: FakeUser, request: string) => () =>
    h.fake.userSendsPhoto(photo, { chat: group, user, caption: `${mention} ${request}` });

  it('answers only when mentioned, replied to, or commanded', async () => {
    const ignoredPhoto = await h.fake.userSendsPhoto(photo, { chat: group, caption: 'make this sadder' });
    h.fake.userSendsText('make it scarier', { chat: group, user: h.fake.bob });
    h.fake.userSendsText('/help@some_other_bot', { chat: group });
    // The command below is answered; nothing before it was.
    const help = await botAnswers(
      h.fake,
      group,
      () => h.fake.userSendsText('/help', { chat: group }),
      isAnswerText,
      'the help text',
    );
    assert.match(help.text ?? '', /Send me a photo/);
    assert.deepEqual(
      h.fake
        .botMessages(group)
        .filter((m) => m.message_id !== help.message_id)
        .map((m) => m.text ?? m.caption),
      [],
      'nothing else was answered',
    );
    assert.ok(ignoredPhoto.message_id < help.message_id);

    const edited = await botAnswers(
      h.fake,
      group,
      () => h.fake.userSendsPhoto(photo, { chat: group, caption: `${mention} make this sadder` }),
      isPicture,
      'the edit asked with a mention',
    );
    assert.match(edited.caption ?? '', /sadness/);
    const stronger = await botAnswers(
      h.fake,
      group,
      () => h.fake.userSendsText('more', { chat: group, replyTo: edited }),
      isPicture,
      'the edit asked by a reply',
    );
    assert.match(stronger.caption ?? '', /strong/);
    assert.deepEqual(
      h.fake
        .botMessages(group)
        .filter((m) => isPicture(m) || isAnswerText(m))
        .map((m) => m.message_id),
      [help.message_id, edited.message_id, stronger.message_id],
      'the messages not for the bot got no answer',
    );
  });

  it('edits a photo someone else posted when asked in a reply to it', async () => {
    const posted = await h.fake.userSendsPhoto(photo, { chat: group, user: h.fake.bob });
    const edited = await botAnswers(
      h.fake,
      group,
      () => h.fake.userSendsText(`${mention} make it calm`, { chat: group, replyTo: posted }),
      isPicture,
      'the edit of the replied photo',
    );
    assert.match(edited.caption ?? '', /contentment/);
  });

  it('refuses /block from someone who is not an administrator', async () => {
    const answer = await botAnswers(
      h.fake,
      group,
      () => h.fake.userSendsText('/block fear', { chat: group, user: h.fake.bob }),
      isAnswerText,
      'the refusal',
    );
    assert.match(answer.text ?? '', /Only moderators/);
  });

  it('lets an administrator /block fear, then refuses "make it scary" with a message', async () => {
    const confirmation = await botAnswers(
      h.fake,
      group,
      () => h.fake.userSendsText('/block fear', { chat: group }),
      isAnswerText,
      'the confirmation',
    );
    // Alice never wrote to the bot privately, so the answer comes in the group.
    assert.match(confirmation.text ?? '', /fear/i);
    assert.doesNotMatch(confirmation.text ?? '', /Only moderators/);
    const refusal = await botAnswers(h.fake, group, ask(h.fake.bob, 'make it scary'), isAnswerText, 'the refusal');
    assert.match(refusal.text ?? '', /A moderator has blocked fear/);
    assert.equal(h.fake.botMessages(group).filter((m) => isPicture(m) && m.message_id > refusal.message_id).length, 0);
  });

  it('sends a moderator the answer privately when they have a private chat with the bot', async () => {
    const privateChat = h.fake.privateChat(h.fake.alice);
    await botAnswers(h.fake, privateChat, () => h.fake.userSendsText('/start'), isAnswerText, 'the start text');
    const note = await botAnswers(
      h.fake,
      group,
      () => h.fake.userSendsText('/policy', { chat: group }),
      isAnswerText,
      'the note in the group',
    );
    assert.match(note.text ?? '', /private message/);
    const policy = h.fake.botMessages(privateChat).at(-1)!;
    assert.match(policy.text ?? '', /fear/, 'the policy, with fear blocked, came privately');
  });

  it('treats an anonymous administrator (writing as the group) as a moderator', async () => {
    const answer = await botAnswers(
      h.fake,
      group,
      () => h.fake.userSendsText('/unblock fear', { chat: group, user: GROUP_ANONYMOUS_BOT, senderChat: group }),
      isAnswerText,
      'the answer to the anonymous administrator',
    );
    assert.doesNotMatch(answer.text ?? '', /Only moderators/);
    const scary = await botAnswers(
      h.fake,
      group,
      ask(h.fake.bob, 'make it scary'),
      isPicture,
      'the scary edit once fear is allowed again',
    );
    assert.match(scary.caption ?? '', /fear/);
  });

  it('answers in the forum topic the request came from', async () => {
    const forum = h.fake.group(-1001000000002, 'Forum', { isForum: true });
    const edited = await botAnswers(
      h.fake,
      forum,
      () => h.fake.userSendsPhoto(photo, { chat: forum, threadId: 77, caption: `${mention} sadder` }),
      isPicture,
      'the edit in the topic',
    );
    assert.equal(edited.message_thread_id, 77);
    const other = await botAnswers(
      h.fake,
      forum,
      () => h.fake.userSendsText(`${mention} more`, { chat: forum, threadId: 78 }),
      isAnswerText,
      'the answer in another topic',
    );
    assert.equal(other.message_thread_id, 78);
    assert.match(other.text ?? '', /no edit|Send me a photo/, 'another topic is another conversation');
  });

  it('makes nobody a moderator in a private chat', async () => {
    const chat = h.fake.privateChat(h.fake.alice);
    const answer = await botAnswers(
      h.fake,
      chat,
      () => h.fake.userSendsText('/block fear'),
      isAnswerText,
      'the refusal',
    );
    assert.match(answer.text ?? '', /Only moderators/);
  });
});
