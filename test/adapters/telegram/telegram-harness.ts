/**
 * @module Runs the real Telegram adapter (grammY, through `startTelegram`) with the real engine
 * against the fake Bot API server, and the pictures the tests send.
 */
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { startTelegram, type TelegramAdapter, type TelegramAdapterOptions } from '../../../adapters/telegram/index.ts';
import { decodeButton } from '../../../src/buttons.ts';
import { loadConfig } from '../../../src/config.ts';
import { createEngine, type Engine, type EngineParts } from '../../../src/engine.ts';
import { FakeBotApi, type FakeChat, type FakeMessage } from '../../fakes/telegram/fake-bot-api.ts';

export interface Harness {
  fake: FakeBotApi;
  engine: Engine;
  adapter: TelegramAdapter;
  /** Stops the adapter and the engine (not the fake), as a process restart would. */
  stopBot(): Promise<void>;
  /** Starts a fresh engine and adapter against the same fake (and the same Redis, if any). */
  startBot(): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  parts?: EngineParts;
  adapter?: TelegramAdapterOptions;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const fake = await FakeBotApi.start();
  const harness = {
    fake,
    engine: undefined as unknown as Engine,
    adapter: undefined as unknown as TelegramAdapter,
    async startBot() {
      const config = loadConfig({
        TELEGRAM_BOT_TOKEN: fake.token,
        TELEGRAM_API_ROOT: fake.apiRoot,
        LOG_LEVEL: 'silent',
        // Tiny test photos: the picture-safety classifier is tested on its own (fixture's comment).
        MOODSHIFT_POLICY: new URL('../../fixtures/policies/pictures-not-checked.yaml', import.meta.url).pathname,
        ...options.env,
      });
      harness.engine = await createEngine(config, options.parts);
      harness.adapter = await startTelegram(harness.engine, options.adapter);
    },
    async stopBot() {
      await harness.adapter.stop();
      await harness.engine.close();
    },
    async close() {
      await harness.stopBot().catch(() => {});
      await fake.close();
    },
  };
  await harness.startBot();
  return harness;
}

/** A harness, Alice's private chat with the bot, and the test photo she sends there. */
export async function startPrivateChat(
  options: HarnessOptions = {},
): Promise<{ h: Harness; chat: FakeChat; photo: Buffer }> {
  const h = await startHarness(options);
  return { h, chat: h.fake.privateChat(), photo: await smallPhoto() };
}

const fixtures = new URL('../../fixtures/images/', import.meta.url);

/** A small JPEG of a test photo (small keeps the tests quick on a shared machine). */
export async function smallPhoto(name = 'chelsea.png', width = 96): Promise<Buffer> {
  return sharp(readFileSync(new URL(name, fixtures)))
    .resize({ width })
    .jpeg({ quality: 85 })
    .toBuffer();
}

/** A PNG whose header claims `width × height` pixels but whose data is tiny: a decompression bomb. */
export function pixelBombPng(width = 30_000, height = 30_000): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.writeUInt8(8, 8); // bit depth
  header.writeUInt8(0, 9); // greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.alloc(width + 1))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function crc32(bytes: Buffer): number {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

/** The buttons of a bot message, by label. */
export function buttonsOf(message: FakeMessage): Map<string, string> {
  const buttons = new Map<string, string>();
  for (const row of message.reply_markup?.inline_keyboard ?? [])
    for (const b of row) if (b.callback_data) buttons.set(b.text, b.callback_data);
  return buttons;
}

/** The callback data of a button, failing loudly when the message lacks it. */
export function button(message: FakeMessage, label: string): string {
  const data = buttonsOf(message).get(label);
  if (!data)
    throw new Error(
      `no "${label}" button on message ${message.message_id}; it has ${[...buttonsOf(message).keys()].join(', ')}`,
    );
  if (!decodeButton(data)) throw new Error(`button "${label}" carries data the engine can't read: ${data}`);
  return data;
}

export const isPicture = (m: FakeMessage): boolean => Boolean(m.photo || m.document);
/** A text answer, not a progress status message. */
export const isAnswerText = (m: FakeMessage): boolean =>
  m.text !== undefined && !/^(Planning|Rendering|Queued)/.test(m.text);

/**
 * Does what a person does (`act`) and waits for the bot's answer in that chat: its first new
 * message that matches `match`. Messages already there before `act` never count.
 */
export async function botAnswers(
  fake: FakeBotApi,
  chat: FakeChat,
  act: () => unknown,
  match: (m: FakeMessage) => boolean,
  what: string,
  timeoutMs?: number,
): Promise<FakeMessage> {
  const after = fake.lastMessageId(chat);
  await act();
  return fake.waitForBotMessage(chat, after, match, what, timeoutMs);
}

/**
 * A person sends `photo` (with `as`: its caption, chat, sender…) and waits for the bot's answer,
 * as `botAnswers` does: the person's photo message and the answer.
 */
export async function answerToPhoto(
  fake: FakeBotApi,
  chat: FakeChat,
  photo: Buffer,
  as: Parameters<FakeBotApi['userSendsPhoto']>[1],
  match: (m: FakeMessage) => boolean,
  what: string,
): Promise<{ sent: FakeMessage; answer: FakeMessage }> {
  let sent: FakeMessage | undefined;
  const answer = await botAnswers(fake, chat, async () => (sent = await fake.userSendsPhoto(photo, as)), match, what);
  return { sent: sent!, answer };
}

/** The bytes of the picture a bot message shows. */
export function pictureBytes(fake: FakeBotApi, message: FakeMessage): Buffer {
  const fileId = message.photo?.at(-1)?.file_id ?? message.document?.file_id;
  if (!fileId) throw new Error(`message ${message.message_id} shows no picture`);
  return fake.fileBytes(fileId);
}
