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
  type FakeAttachment,
  type FakeChannel,
  type FakeDiscordOptions,
  type FakeGuild,
  type FakeUser,
} from '../../fakes/discord/fake-discord.ts';

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
  return sharp(readFileSync(new URL(name, fixtures))).resize({ width }).png().toBuffer();
}

/** Uploads a photo to the fake as a person's attachment. */
export async function uploadPhoto(fake: FakeDiscord, name = 'chelsea.png', width = 96): Promise<FakeAttachment> {
  return fake.uploadFile(await smallPhoto(name, width), name, 'image/png');
}

/** Mean absolute difference of two pictures of the same size, 0–255 per channel. */
export async function meanDifference(a: Buffer, b: Buffer): Promise<number> {
  const first = await sharp(a).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const second = await sharp(b).removeAlpha().resize(first.info.width, first.info.height, { fit: 'fill' }).raw().toBuffer();
  let total = 0;
  for (let i = 0; i < first.data.length; i += 1) total += Math.abs(first.data[i]! - second[i]!);
  return total / first.data.length;
}
