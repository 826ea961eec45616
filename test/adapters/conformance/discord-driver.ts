/**
 * @module The conformance driver of Discord: the real adapter (discord.js) and the real engine
 * against the fake Discord, in a server channel, with Message Content on. On the `slash` surface
 * people use `/mood edit` (a photo and a feeling), `/mood help`, and moderators (a role with
 * Manage Server) `/moodmod`; on the `messages` surface they post messages that mention the bot
 * (a photo with a caption, "/block fear"…), and the bot answers moderators in a DM. On both they
 * press the buttons and pick from the emotion menu under the bot's pictures and reply to those
 * pictures. A restart stops the bot and starts a new engine and discord.js client against the
 * same fake and the same Redis; everything after it goes through the new gateway session.
 */
import type { RunningAdapter } from '../../../src/adapter.ts';
import { loadConfig } from '../../../src/config.ts';
import { EMOTIONS } from '../../../src/emotions.ts';
import { createEngine, type Engine } from '../../../src/engine.ts';
import { startDiscord } from '../../../adapters/discord/index.ts';
import {
  FakeDiscord,
  Permission,
  type FakeInteraction,
  type FakeMessage,
  type FakeUser,
} from '../../fakes/discord/fake-discord.ts';
import type { GatewaySession } from '../../fakes/discord/fake-gateway.ts';
import { environmentFor } from '../discord/harness.ts';
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

const EPHEMERAL = 1 << 6;
const LOADING = 1 << 7;

interface DiscordPerson extends Person {
  user: FakeUser;
}

interface DiscordAnswer extends Answer {
  message: FakeMessage;
}

export interface DiscordDriverOptions {
  redisUrl?: string;
  /** @defaultValue `slash` */
  surface?: 'slash' | 'messages';
}

/** Moderators' answers are private: ephemeral after a slash command, in a DM after a message. */
export const DISCORD_CAPABILITIES: DriverCapabilities = {
  moderators: 'some',
  privateModeratorAnswers: true,
  bans: true,
  sharedPlace: true,
};

export async function discordDriver(options: DiscordDriverOptions): Promise<AdapterDriver> {
  const bySlash = (options.surface ?? 'slash') === 'slash';
  const fake = await new FakeDiscord().start();
  const { guild, channel } = fake.addGuild('Conformance server');
  const managers = fake.addRole(guild, 'Managers', Permission.ManageGuild);
  const env = environmentFor(fake, {
    DISCORD_MESSAGE_CONTENT: 'true',
    ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
  });
  let engine: Engine | undefined;
  let adapter: RunningAdapter | undefined;
  let session: GatewaySession;

  const startBot = async () => {
    const known = new Set(fake.gateway.sessions.map((s) => s.id));
    engine = await createEngine(loadConfig(env));
    adapter = await startDiscord(engine);
    session = await fake.waitForSession((s) => !known.has(s.id));
  };
  const stopBot = async () => {
    await adapter?.stop();
    await engine?.close();
    adapter = engine = undefined;
  };
  try {
    await startBot();
  } catch (error) {
    await stopBot().catch(() => {});
    await fake.close();
    throw error;
  }

  const person = (name: string, roles: string[]): DiscordPerson => {
    const user = fake.addUser(name);
    fake.addMember(guild, user, roles);
    return { name, user };
  };
  const userOf = (as: Person) => (as as DiscordPerson).user;
  const messageOf = (on: Answer) => (on as DiscordAnswer).message;
  const isAnswer = (m: FakeMessage) =>
    !(m.flags & LOADING) && (m.attachments.length > 0 || (m.content !== '' && !PROGRESS_TEXT.test(m.content)));

  const read = (message: FakeMessage, progressSeen: boolean): DiscordAnswer => {
    const parts = message.components.flatMap((row) => row.components);
    const labels = parts.flatMap((c) => (c.type === 2 ? [c.label ?? ''] : []));
    const options = parts.flatMap((c) => (c.type === 3 ? c.options.map((o) => o.label) : []));
    return {
      message,
      text: message.content,
      image: message.attachments[0]?.bytes,
      actions: actionsIn(labels),
      emotions: emotionsIn(options, EMOTIONS),
      progressSeen,
      private: Boolean(message.flags & EPHEMERAL),
    };
  };
  const shownProgress = (messages: FakeMessage[]) =>
    messages.some((m) => m.history.some((state) => PROGRESS_TEXT.test(state.content)));

  /** The first response of an interaction that is an answer (its deferred reply once edited, or a follow-up). */
  const answerTo = async (interaction: FakeInteraction, what: string): Promise<DiscordAnswer> => {
    const message = await fake.waitFor(() => fake.responsesOf(interaction).find(isAnswer), 20_000, what);
    return read(message, shownProgress(fake.responsesOf(interaction)));
  };
  /** Posts a message and reads the bot's first answer: a reply to it, or a new message in the person's DM. */
  const answerToMessage = async (
    as: Person,
    post: Parameters<FakeDiscord['postMessage']>[0],
    what: string,
  ): Promise<DiscordAnswer> => {
    const dm = fake.dmChannel(userOf(as));
    const before = new Set(fake.messages.keys());
    const posted = fake.postMessage({ ...post, via: session });
    const replies = () =>
      [...fake.messages.values()].filter(
        (m) =>
          m.author.id === fake.bot.id &&
          !m.deleted &&
          (m.replyTo === posted.id || (m.channel_id === dm.id && !before.has(m.id))),
      );
    const message = await fake.waitFor(() => replies().find(isAnswer), 20_000, what);
    const answer = read(message, shownProgress(replies()));
    return { ...answer, private: answer.private || message.channel_id === dm.id };
  };
  /** Posts a message that mentions the bot, as a person addresses it in a channel. */
  const mention = (as: Person, content: string, file?: { bytes: Buffer; name: string; type: string }) =>
    answerToMessage(
      as,
      {
        user: userOf(as),
        channel,
        content,
        mentionBot: true,
        attachments: file ? [fake.uploadFile(file.bytes, file.name, file.type)] : [],
      },
      `the answer to the message "${content}"`,
    );
  const commandText = (command: ModeratorCommand) => moderatorCommandText(command, (p) => userOf(p).id);
  const edit = (as: Person, fields: { photo?: FakeMessage['attachments'][number]; feeling?: string }) =>
    fake.slashCommand({
      user: userOf(as),
      channel,
      command: 'mood',
      subcommand: 'edit',
      options: {
        ...(fields.photo ? { image: { attachment: fields.photo } } : {}),
        ...(fields.feeling !== undefined ? { feeling: fields.feeling } : {}),
      },
      via: session,
    });
  const moderatorOptions = (command: ModeratorCommand): Parameters<FakeDiscord['slashCommand']>[0]['options'] => {
    switch (command.name) {
      case 'ban':
      case 'unban':
        return { user: { user: userOf(command.person) } };
      case 'block':
      case 'unblock':
        return { emotion: command.emotion };
      case 'policy':
        return {};
    }
  };

  const slash: Pick<AdapterDriver, 'sendPhoto' | 'sendFile' | 'sendText' | 'help' | 'moderate'> = {
    sendPhoto: (as, photo, text) =>
      answerTo(
        edit(as, { photo: fake.uploadFile(photo, 'photo.jpg', 'image/jpeg'), feeling: text }),
        'the answer to /mood edit with a photo',
      ),
    sendFile: (as, file, text) =>
      answerTo(
        edit(as, { photo: fake.uploadFile(file.bytes, file.name, file.type), feeling: text }),
        'the answer to /mood edit with a file',
      ),
    sendText: (as, text) => answerTo(edit(as, { feeling: text }), `the answer to /mood edit feeling:${text}`),
    help: (as) =>
      answerTo(
        fake.slashCommand({ user: userOf(as), channel, command: 'mood', subcommand: 'help', via: session }),
        'the help text',
      ),
    moderate: (as, command) =>
      answerTo(
        fake.slashCommand({
          user: userOf(as),
          channel,
          command: 'moodmod',
          subcommand: command.name,
          options: moderatorOptions(command),
          via: session,
        }),
        `the answer to /moodmod ${command.name}`,
      ),
  };
  const messages: typeof slash = {
    sendPhoto: (as, photo, text) => mention(as, text ?? '', { bytes: photo, name: 'photo.jpg', type: 'image/jpeg' }),
    sendFile: (as, file, text) => mention(as, text, file),
    sendText: (as, text) => mention(as, text),
    help: (as) => mention(as, '/help'),
    moderate: (as, command) => mention(as, commandText(command)),
  };

  return {
    name: bySlash ? 'discord (slash commands)' : 'discord (messages)',
    // Moderators' answers are private: ephemeral after a slash command, in a DM after a message.
    capabilities: DISCORD_CAPABILITIES,
    member: (name) => person(name, []),
    moderator: (name) => person(name, [managers.id]),
    ...(bySlash ? slash : messages),
    press: (as, on, action) =>
      answerTo(
        fake.pressButton({ user: userOf(as), message: messageOf(on), label: ACTION_LABELS[action], via: session }),
        `the answer to ${action}`,
      ),
    choose: (as, on, emotion) =>
      answerTo(
        fake.pickFromMenu({ user: userOf(as), message: messageOf(on), option: emotion, via: session }),
        `the answer to ${emotion}`,
      ),
    replyTo: (as, on, text) =>
      answerToMessage(
        as,
        { user: userOf(as), channel, content: text, replyTo: messageOf(on) },
        `the answer to the reply "${text}"`,
      ),
    async restart() {
      if (!options.redisUrl) throw new Error('a restart keeps the conversations only with Redis');
      await stopBot();
      await startBot();
    },
    async close() {
      await stopBot();
      await fake.close();
    },
  };
}
