/**
 * @module The conformance driver of Telegram: the real adapter (grammY) and the real engine
 * against the fake Bot API, in one of two places: a group, where people mention the bot
 * (`@moodshift_test_bot`), reply to its pictures and press its inline buttons, and the group's
 * administrators are its moderators; or each person's private chat with the bot, where nobody
 * moderates. A restart stops the bot and starts a new engine and grammY bot against the same fake
 * and the same Redis.
 */
import { EMOTIONS } from '../../../src/emotions.ts';
import type { FakeChat, FakeMessage, FakeUser } from '../../fakes/telegram/fake-bot-api.ts';
import {
  button,
  buttonsOf,
  isAnswerText,
  isPicture,
  pictureBytes,
  startHarness,
} from '../telegram/telegram-harness.ts';
import {
  ACTION_LABELS,
  PROGRESS_TEXT,
  actionsIn,
  emotionsIn,
  type AdapterDriver,
  type Answer,
  type DriverCapabilities,
  moderatorCommandText,
  type ModeratorCommand,
  type Person,
} from './driver.ts';

const MENTION = '@moodshift_test_bot';

interface TelegramPerson extends Person {
  user: FakeUser;
}

interface TelegramAnswer extends Answer {
  message: FakeMessage;
}

export interface TelegramDriverOptions {
  redisUrl?: string;
  /** @defaultValue `group` */
  place?: 'group' | 'private';
}

/** In a group the answers come in the group (its moderators never wrote to the bot privately); a private chat has no moderators. */
export function telegramCapabilities(place: 'group' | 'private'): DriverCapabilities {
  const inGroup = place === 'group';
  return {
    moderators: inGroup ? 'some' : 'nobody',
    privateModeratorAnswers: false,
    bans: inGroup,
    sharedPlace: inGroup,
  };
}

export async function telegramDriver(options: TelegramDriverOptions): Promise<AdapterDriver> {
  const h = await startHarness({ env: options.redisUrl ? { REDIS_URL: options.redisUrl } : {} });
  const inGroup = (options.place ?? 'group') === 'group';
  const group: FakeChat = h.fake.group(-1001000000555, 'Conformance club');
  /** Where a person talks to the bot, and how they address it there. */
  const chatOf = (as: Person): FakeChat => (inGroup ? group : h.fake.privateChat(userOf(as)));
  const addressed = (text: string) => (inGroup ? `${MENTION} ${text}` : text);
  let nextId = 5001;

  const person = (name: string, status: 'member' | 'administrator'): TelegramPerson => {
    const user: FakeUser = { id: nextId++, is_bot: false, first_name: name, language_code: 'en' };
    h.fake.setChatMember(group, user, status);
    return { name, user };
  };
  const userOf = (as: Person) => (as as TelegramPerson).user;
  const messageOf = (on: Answer) => (on as TelegramAnswer).message;

  /** Does `act` and reads the bot's first new message in the person's chat that is a picture or an answer (not a status message). */
  const answer = async (as: Person, act: () => unknown, what: string): Promise<TelegramAnswer> => {
    const chat = chatOf(as);
    const after = h.fake.lastMessageId(chat);
    const since = h.fake.calls.length;
    await act();
    const message = await h.fake.waitForBotMessage(chat, after, (m) => isPicture(m) || isAnswerText(m), what, 20_000);
    const labels = [...buttonsOf(message).keys()];
    const progressSeen = h.fake.calls
      .slice(since)
      .some(
        (c) =>
          /^(sendMessage|editMessageText)$/i.test(c.method) &&
          Number(c.params.chat_id) === chat.id &&
          PROGRESS_TEXT.test(String(c.params.text)),
      );
    return {
      message,
      text: message.caption ?? message.text ?? '',
      image: isPicture(message) ? pictureBytes(h.fake, message) : undefined,
      actions: actionsIn(labels),
      emotions: emotionsIn(labels, EMOTIONS),
      progressSeen,
      private: false,
    };
  };
  const commandText = (command: ModeratorCommand) => moderatorCommandText(command, (p) => userOf(p).id);
  const emotionLabel = (on: Answer, emotion: string) => {
    const label = [...buttonsOf(messageOf(on)).keys()].find((l) => new RegExp(`\\b${emotion}\\b`).test(l));
    if (!label) throw new Error(`no ${emotion} button on message ${messageOf(on).message_id}`);
    return label;
  };

  return {
    name: inGroup ? 'telegram (group)' : 'telegram (private chat)',
    // In the group the answers come in the group: the moderators here never wrote to the bot privately.
    capabilities: telegramCapabilities(inGroup ? 'group' : 'private'),
    member: (name) => person(name, 'member'),
    moderator: (name) => person(name, 'administrator'),
    sendPhoto: (as, photo, text) =>
      answer(
        as,
        () =>
          h.fake.userSendsPhoto(photo, {
            chat: chatOf(as),
            user: userOf(as),
            ...(text === undefined ? (inGroup ? { caption: MENTION } : {}) : { caption: addressed(text) }),
          }),
        'the answer to a photo',
      ),
    sendFile: (as, file, text) =>
      answer(
        as,
        () =>
          h.fake.userSendsDocument(file.bytes, {
            chat: chatOf(as),
            user: userOf(as),
            fileName: file.name,
            mimeType: file.type,
            caption: addressed(text),
          }),
        'the answer to a file',
      ),
    sendText: (as, text) =>
      answer(
        as,
        () => h.fake.userSendsText(addressed(text), { chat: chatOf(as), user: userOf(as) }),
        `the answer to "${text}"`,
      ),
    press: (as, on, action) =>
      answer(
        as,
        () =>
          h.fake.userPressesButton(messageOf(on), button(messageOf(on), ACTION_LABELS[action]), { user: userOf(as) }),
        `the answer to ${action}`,
      ),
    choose: (as, on, emotion) =>
      answer(
        as,
        () =>
          h.fake.userPressesButton(messageOf(on), button(messageOf(on), emotionLabel(on, emotion)), {
            user: userOf(as),
          }),
        `the answer to ${emotion}`,
      ),
    replyTo: (as, on, text) =>
      answer(
        as,
        () => h.fake.userSendsText(text, { chat: chatOf(as), user: userOf(as), replyTo: messageOf(on) }),
        `the answer to the reply "${text}"`,
      ),
    help: (as) =>
      answer(as, () => h.fake.userSendsText('/help', { chat: chatOf(as), user: userOf(as) }), 'the help text'),
    moderate: (as, command) =>
      answer(
        as,
        () => h.fake.userSendsText(commandText(command), { chat: chatOf(as), user: userOf(as) }),
        `the answer to ${commandText(command)}`,
      ),
    async restart() {
      if (!options.redisUrl) throw new Error('a restart keeps the conversations only with Redis');
      await h.stopBot();
      await h.startBot();
    },
    close: () => h.close(),
  };
}
