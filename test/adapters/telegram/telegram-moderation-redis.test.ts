/**
 * End to end with Redis: two Telegram bot processes (two engines, two grammY bots, one Redis)
 * behind one webhook address, as replicas behind a load balancer are. A moderator's change made
 * through one process is honoured by the other, whose policy cache was warm, within a second.
 * The "load balancer" is a tiny forwarder in this test that sends each update to the process
 * the test picks.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTelegram, type TelegramAdapter, type TelegramAdapterOptions } from '../../../adapters/telegram/index.ts';
import { loadConfig } from '../../../src/config.ts';
import { createEngine, type Engine } from '../../../src/engine.ts';
import type { FakeChat, FakeUser } from '../../fakes/telegram/fake-bot-api.ts';
import { redisTestOptions, startTestRedis, type TestRedis } from '../../helpers/redis-server.ts';
import { botAnswers, isAnswerText, isPicture, smallPhoto, startHarness, type Harness } from './telegram-harness.ts';

const SECRET = 'two-replicas_secret';
const MENTION = '@moodshift_test_bot';
/** How soon the engine promises that a policy change reaches every process. */
const PROPAGATION_MS = 1000;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Forwards each webhook call to the replica `target` names, and answers with its status. */
class Forwarder {
  target = 0;
  readonly #server: Server;
  readonly #ports: number[];

  constructor(ports: number[]) {
    this.#ports = ports;
    this.#server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      try {
        const response = await fetch(`http://127.0.0.1:${this.#ports[this.target]}${req.url}`, {
          method: req.method,
          headers: {
            'content-type': String(req.headers['content-type'] ?? 'application/json'),
            'x-telegram-bot-api-secret-token': String(req.headers['x-telegram-bot-api-secret-token'] ?? ''),
          },
          body: Buffer.concat(chunks),
        });
        res.writeHead(response.status).end(Buffer.from(await response.arrayBuffer()));
      } catch {
        res.writeHead(502).end();
      }
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/telegram/hook`;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

describe('Telegram with Redis: a moderator change reaches every bot process', redisTestOptions(), () => {
  let redis: TestRedis;
  let forwarder: Forwarder;
  let h: Harness;
  let secondEngine: Engine;
  let second: TelegramAdapter;
  let group: FakeChat;
  let photo: Buffer;
  const moderator: FakeUser = { id: 4001, is_bot: false, first_name: 'Mona' };
  const bob: FakeUser = { id: 4002, is_bot: false, first_name: 'Bob' };
  const FIRST = 0;
  const SECOND = 1;

  before(async () => {
    redis = await startTestRedis();
    const ports = [await freePort(), await freePort()];
    forwarder = new Forwarder(ports);
    const url = await forwarder.listen();
    const webhook = (port: number): TelegramAdapterOptions => ({
      webhookUrl: url,
      webhookPort: port,
      webhookHost: '127.0.0.1',
      webhookSecret: SECRET,
    });
    h = await startHarness({ env: { REDIS_URL: redis.url }, adapter: webhook(ports[0]!) });
    secondEngine = await createEngine(
      // Picture checks off, as in the harness's engine (test/fixtures/policies/pictures-not-checked.yaml says why).
      loadConfig({
        TELEGRAM_BOT_TOKEN: h.fake.token,
        TELEGRAM_API_ROOT: h.fake.apiRoot,
        LOG_LEVEL: 'silent',
        REDIS_URL: redis.url,
        MOODSHIFT_POLICY: new URL('../../fixtures/policies/pictures-not-checked.yaml', import.meta.url).pathname,
      }),
    );
    second = await startTelegram(secondEngine, webhook(ports[1]!));
    assert.equal(second.mode, 'webhook');
    group = h.fake.group(-1001000000099, 'Replicated club');
    h.fake.setChatMember(group, moderator, 'administrator');
    photo = await smallPhoto('chelsea.png', 64);
  });
  after(async () => {
    await second?.stop();
    await secondEngine?.close();
    await h?.close();
    await forwarder?.close();
    await redis?.dispose();
  });

  const ask = (user: FakeUser, request: string) => () =>
    h.fake.userSendsPhoto(photo, { chat: group, user, caption: `${MENTION} ${request}` });
  const command = (text: string) => () => h.fake.userSendsText(text, { chat: group, user: moderator });

  it('refuses fear on the second process within a second of a /block through the first', async () => {
    forwarder.target = SECOND;
    const before = await botAnswers(
      h.fake,
      group,
      ask(bob, 'make it scary'),
      isPicture,
      'the scary edit before the block',
    );
    assert.match(before.caption ?? '', /fear/, 'the second process has read (and cached) the policy');

    forwarder.target = FIRST;
    const confirmation = await botAnswers(h.fake, group, command('/block fear'), isAnswerText, 'the confirmation');
    assert.match(confirmation.text ?? '', /Blocked fear in this group/);
    const blockedAt = Date.now();

    forwarder.target = SECOND;
    await sleep(Math.max(0, blockedAt + PROPAGATION_MS - Date.now()));
    const refusal = await botAnswers(h.fake, group, ask(bob, 'make it scary'), isAnswerText, 'the refusal');
    assert.match(refusal.text ?? '', /A moderator has blocked fear in this group/);
  });

  it('refuses a person on the first process after a /ban through the second', async () => {
    forwarder.target = FIRST;
    const picture = await botAnswers(
      h.fake,
      group,
      ask(bob, 'sadder'),
      isPicture,
      'an edit that warms the first process',
    );
    assert.match(picture.caption ?? '', /sadness/);

    forwarder.target = SECOND;
    const chatter = h.fake.userSendsText('hi all', { chat: group, user: bob });
    const confirmation = await botAnswers(
      h.fake,
      group,
      () => h.fake.userSendsText('/ban', { chat: group, user: moderator, replyTo: chatter }),
      isAnswerText,
      'the confirmation',
    );
    assert.match(confirmation.text ?? '', new RegExp(`${bob.id} can no longer use the bot in this group`));
    const bannedAt = Date.now();

    forwarder.target = FIRST;
    await sleep(Math.max(0, bannedAt + PROPAGATION_MS - Date.now()));
    const refusal = await botAnswers(h.fake, group, ask(bob, 'sadder'), isAnswerText, 'the refusal');
    assert.match(refusal.text ?? '', /A moderator has stopped you from using the bot in this group/);
  });
});
