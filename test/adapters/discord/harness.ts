/**
 * @module Starts the fake Discord, the real engine (configured the way an operator would,
 * through `loadConfig`) and the real Discord adapter on discord.js against it.
 */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import type { RunningAdapter } from '../../../src/adapter.ts';
import { loadConfig } from '../../../src/config.ts';
import { createEngine, type Engine, type EngineParts } from '../../../src/engine.ts';
import { startDiscord, type DiscordAdapterOptions } from '../../../adapters/discord/index.ts';
import {
  BOT_TOKEN,
  FakeDiscord,
  Permission,
  type FakeAttachment,
  type FakeChannel,
  type FakeDiscordOptions,
  type FakeGuild,
  type FakeInteraction,
  type FakeMessage,
  type FakeUser,
} from '../../fakes/discord/fake-discord.ts';
import type { GatewaySession } from '../../fakes/discord/fake-gateway.ts';

export interface Harness {
  fake: FakeDiscord;
  guild: FakeGuild;
  channel: FakeChannel;
  /** A member without special permissions. */
  alice: FakeUser;
  engine: Engine;
  adapter: RunningAdapter;
  close(): Promise<void>;
}

export interface HarnessOptions {
  fake?: FakeDiscordOptions;
  /** Extra environment for `loadConfig` (e.g. `REDIS_URL`, `DISCORD_MESSAGE_CONTENT`). */
  env?: Record<string, string>;
  adapter?: DiscordAdapterOptions;
  parts?: EngineParts;
  /** Builds more of the world before the bot connects (it then learns of it from GUILD_CREATE). */
  beforeStart?: (world: { fake: FakeDiscord; guild: FakeGuild; channel: FakeChannel }) => void;
}

export function environmentFor(fake: FakeDiscord, env: Record<string, string> = {}): Record<string, string> {
  return {
    DISCORD_TOKEN: BOT_TOKEN,
    DISCORD_APPLICATION_ID: fake.applicationId,
    DISCORD_API_ROOT: fake.apiRoot,
    DISCORD_ATTACHMENT_HOSTS: fake.attachmentHost,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    // Tiny test photos: the picture-safety classifier is tested on its own (fixture's comment).
    MOODSHIFT_POLICY: new URL('../../fixtures/policies/pictures-not-checked.yaml', import.meta.url).pathname,
    ...env,
  };
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const fake = await new FakeDiscord(options.fake).start();
  const { guild, channel } = fake.addGuild();
  const alice = fake.addUser('alice');
  fake.addMember(guild, alice);
  options.beforeStart?.({ fake, guild, channel });
  const engine = await createEngine(loadConfig(environmentFor(fake, options.env)), options.parts);
  let adapter: RunningAdapter;
  try {
    adapter = await startDiscord(engine, options.adapter);
  } catch (error) {
    await engine.close();
    await fake.close();
    throw error;
  }
  return {
    fake,
    guild,
    channel,
    alice,
    engine,
    adapter,
    close: async () => {
      await adapter.stop();
      await engine.close();
      await fake.close();
    },
  };
}

const fixtures = new URL('../../fixtures/images/', import.meta.url);

/** A test photo, scaled down (the point of these tests is the platform, not the pixels). */
export async function smallPhoto(name = 'chelsea.png', width = 96): Promise<Buffer> {
  return sharp(readFileSync(new URL(name, fixtures)))
    .resize({ width })
    .png()
    .toBuffer();
}

/** Uploads a photo to the fake as a person's attachment. */
export async function uploadPhoto(fake: FakeDiscord, name = 'chelsea.png', width = 96): Promise<FakeAttachment> {
  return fake.uploadFile(await smallPhoto(name, width), name, 'image/png');
}

/** A new member of the harness's server, without special permissions. */
export function newMember(h: Harness, name: string): FakeUser {
  const user = h.fake.addUser(name);
  h.fake.addMember(h.guild, user);
  return user;
}

/** A new member of the harness's server with a role that grants Manage Server: a moderator. */
export function newModerator(h: Harness, name = 'mod'): FakeUser {
  const user = h.fake.addUser(name);
  h.fake.addMember(h.guild, user, [h.fake.addRole(h.guild, 'Managers', Permission.ManageGuild).id]);
  return user;
}

/** The options of one `/mood edit`, and who runs it where. */
export interface MoodEdit {
  /** The `image` option; none when left out. */
  photo?: FakeAttachment;
  /** The `feeling` option; none when left out. */
  feeling?: string;
  /** @defaultValue the harness's alice */
  user?: FakeUser;
  /** @defaultValue the harness's channel */
  channel?: FakeChannel;
  attachmentSizeLimit?: number;
  via?: GatewaySession;
}

/** A person runs `/mood edit image:<photo> feeling:<feeling>`. */
export function moodEdit(h: Harness, edit: MoodEdit): FakeInteraction {
  const { photo, feeling, user = h.alice, channel = h.channel, ...delivery } = edit;
  return h.fake.slashCommand({
    user,
    channel,
    command: 'mood',
    subcommand: 'edit',
    options: { ...(photo ? { image: { attachment: photo } } : {}), ...(feeling !== undefined ? { feeling } : {}) },
    ...delivery,
  });
}

/** Uploads a test photo, runs `/mood edit` with it (see `moodEdit`), and waits for the edited picture. */
export async function editWithPhoto(
  h: Harness,
  edit: Omit<MoodEdit, 'photo'>,
): Promise<{ interaction: FakeInteraction; picture: FakeMessage }> {
  const interaction = moodEdit(h, { ...edit, photo: await uploadPhoto(h.fake) });
  return { interaction, picture: await h.fake.waitForPicture(interaction) };
}

/** Mean absolute difference of two pictures of the same size, 0–255 per channel. */
export async function meanDifference(a: Buffer, b: Buffer): Promise<number> {
  const first = await sharp(a).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const second = await sharp(b)
    .removeAlpha()
    .resize(first.info.width, first.info.height, { fit: 'fill' })
    .raw()
    .toBuffer();
  let total = 0;
  for (let i = 0; i < first.data.length; i += 1) total += Math.abs(first.data[i]! - second[i]!);
  return total / first.data.length;
}
