/**
 * End-to-end resilience: bad pictures, Bot API faults (429, 500, dropped connections, a
 * refused call), progress while an edit runs, a graceful stop with an edit in flight, and
 * webhook mode.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { ProgressListener } from '../../../src/turn.ts';
import type { RenderRequest, RenderResult, Renderer } from '../../../src/renderer/renderer.ts';
import { ToneRenderer } from '../../../src/renderer/tone-renderer.ts';
import { freePort } from '../../helpers/redis-server.ts';
import { startTelegram } from '../../../adapters/telegram/index.ts';
import { loadConfig } from '../../../src/config.ts';
import { createEngine } from '../../../src/engine.ts';
import { ConfigError } from '../../../src/errors.ts';
import { FakeBotApi, type FakeChat } from '../../fakes/telegram/fake-bot-api.ts';
import {
  answerToPhoto,
  botAnswers,
  button,
  isAnswerText,
  isPicture,
  pixelBombPng,
  smallPhoto,
  startHarness,
  startPrivateChat,
  type Harness,
} from './telegram-harness.ts';

/** The tone renderer, with a hook the test controls before each render. */
class HookedRenderer implements Renderer {
  readonly name = 'hooked-tone';
  readonly #inner = new ToneRenderer();
  beforeRender?: (onProgress: ProgressListener) => Promise<void>;
  async render(request: RenderRequest): Promise<RenderResult> {
    await this.beforeRender?.(request.onProgress ?? (() => {}));
    return this.#inner.render(request);
  }

  /**
   * Makes renders wait at their start until `release()`; `rendering` settles once one has
   * started. With `once`, only the first render waits.
   */
  hold(options: { once?: boolean } = {}): { rendering: Promise<void>; release: () => void } {
    let entered!: () => void;
    const rendering = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    this.beforeRender = async () => {
      if (options.once) this.beforeRender = undefined;
      entered();
      await gate;
    };
    return { rendering, release };
  }
}

describe('Telegram: starting', () => {
  it('refuses to start with a token Telegram does not know, saying what to change', async () => {
    const fake = await FakeBotApi.start();
    const engine = await createEngine(loadConfig({ LOG_LEVEL: 'silent' }));
    try {
      await assert.rejects(
        startTelegram(engine, { token: '999999:not-the-token-of-this-bot', apiRoot: fake.apiRoot }),
        (error: Error) => error instanceof ConfigError && /TELEGRAM_BOT_TOKEN/.test(error.message),
      );
    } finally {
      await engine.close();
      await fake.close();
    }
  });
});

describe('Telegram: pictures the bot can not use', () => {
  let h: Harness;
  let chat: FakeChat;
  before(async () => {
    h = await startHarness();
    chat = h.fake.privateChat();
  });
  after(() => h.close());

  it('answers a text file, a truncated PNG, a pixel bomb and an oversized file each with a clear message, and keeps serving', async () => {
    const cases = [
      {
        what: 'a text file',
        send: () =>
          h.fake.userSendsDocument(Buffer.from('just some notes\n'), {
            fileName: 'notes.txt',
            mimeType: 'text/plain',
            caption: 'sadder',
          }),
        expect: /can't edit text files/,
      },
      {
        what: 'a truncated PNG',
        send: async () => {
          const png = await smallPhoto('coffee.png', 200).then((jpeg) =>
            import('sharp').then(({ default: sharp }) => sharp(jpeg).png().toBuffer()),
          );
          return h.fake.userSendsDocument(png.subarray(0, Math.floor(png.length / 2)), {
            fileName: 'half.png',
            mimeType: 'image/png',
            caption: 'sadder',
          });
        },
        expect: /broken or incomplete/,
      },
      {
        what: 'a pixel bomb',
        send: () =>
          h.fake.userSendsDocument(pixelBombPng(), { fileName: 'bomb.png', mimeType: 'image/png', caption: 'sadder' }),
        expect: /too many pixels/,
      },
      {
        what: 'a file declared larger than Telegram lets bots download',
        send: () =>
          h.fake.userSendsDocument(Buffer.alloc(16), {
            fileName: 'huge.png',
            mimeType: 'image/png',
            declaredSize: 30 * 1024 * 1024,
            caption: 'sadder',
          }),
        expect: /too big/,
      },
    ];
    for (const { what, send, expect } of cases) {
      const answer = await botAnswers(h.fake, chat, send, isAnswerText, `the answer to ${what}`);
      assert.match(answer.text ?? '', expect, what);
    }
    const fine = await botAnswers(
      h.fake,
      chat,
      async () => h.fake.userSendsPhoto(await smallPhoto(), { caption: 'sadder' }),
      isPicture,
      'an edit after the bad files',
    );
    assert.match(fine.caption ?? '', /sadness/);
  });
});

describe('Telegram: Bot API faults', () => {
  let h: Harness;
  let chat: FakeChat;
  let photo: Buffer;
  before(async () => {
    ({ h, chat, photo } = await startPrivateChat());
  });
  after(() => h.close());

  it('retries an upload refused with 429 after retry_after', async () => {
    h.fake.failNext('sendPhoto', { kind: 'rate_limit', retryAfterSeconds: 1 });
    const before = h.fake.callsOf('sendPhoto').length;
    const edited = await botAnswers(
      h.fake,
      chat,
      () => h.fake.userSendsPhoto(photo, { caption: 'sadder' }),
      isPicture,
      'the picture after a 429',
    );
    assert.match(edited.caption ?? '', /sadness/);
    const uploads = h.fake.callsOf('sendPhoto').slice(before);
    assert.deepEqual(
      uploads.map((c) => c.fault?.kind ?? 'served'),
      ['rate_limit', 'served'],
    );
  });

  it('retries an upload that failed with a server error', async () => {
    h.fake.failNext('sendPhoto', { kind: 'server_error', status: 502 });
    const edited = await botAnswers(
      h.fake,
      chat,
      () => h.fake.userSendsPhoto(photo, { caption: 'calmer' }),
      isPicture,
      'the picture after a 502',
    );
    assert.match(edited.caption ?? '', /contentment/);
  });

  it('retries a download whose connection dropped, and keeps polling after a dropped getUpdates', async () => {
    h.fake.failNext('getFile', { kind: 'drop_connection' });
    const edited = await botAnswers(
      h.fake,
      chat,
      () => h.fake.userSendsPhoto(photo, { caption: 'scarier' }),
      isPicture,
      'the picture after a dropped getFile',
    );
    assert.match(edited.caption ?? '', /fear/);
    h.fake.failNext('getUpdates', { kind: 'drop_connection' });
    await botAnswers(h.fake, chat, () => h.fake.userSendsText('/help'), isAnswerText, 'the first help');
    const again = await botAnswers(
      h.fake,
      chat,
      () => h.fake.userSendsText('/emotions'),
      isAnswerText,
      'the answer after a dropped getUpdates',
    );
    assert.match(again.text ?? '', /amusement/);
  });

  it('sends the picture as a document when Telegram refuses it as a photo', async () => {
    h.fake.failNext('sendPhoto', { kind: 'error', status: 400, description: 'Bad Request: PHOTO_INVALID_DIMENSIONS' });
    const edited = await botAnswers(
      h.fake,
      chat,
      () => h.fake.userSendsPhoto(photo, { caption: 'sadder' }),
      isPicture,
      'the picture as a document',
    );
    assert.ok(edited.document);
    assert.match(edited.caption ?? '', /sadness/);
  });

  it('apologises when an update fails, and serves the next one', async () => {
    h.fake.failNext('sendPhoto', {
      kind: 'error',
      status: 400,
      description: 'Bad Request: wrong file identifier/HTTP URL specified',
    });
    const { sent: failed, answer: apology } = await answerToPhoto(
      h.fake,
      chat,
      photo,
      { caption: 'sadder' },
      isAnswerText,
      'the apology',
    );
    assert.match(apology.text ?? '', /Sorry, something went wrong/);
    assert.equal(
      apology.reply_to_message?.message_id,
      failed.message_id,
      'the apology answers the message that failed',
    );
    const edited = await botAnswers(h.fake, chat, () => h.fake.userSendsText('sadder'), isPicture, 'the next edit');
    assert.match(edited.caption ?? '', /sadness/);
  });
});

describe('Telegram: progress and a graceful stop', () => {
  let h: Harness;
  let chat: FakeChat;
  let photo: Buffer;
  const renderer = new HookedRenderer();
  before(async () => {
    ({ h, chat, photo } = await startPrivateChat({ parts: { renderer }, adapter: { statusMessageDelayMs: 0 } }));
  });
  after(() => h.close());

  it('shows upload_photo and one status message edited with progress, deleted when the picture arrives', async () => {
    const statusWith = (text: string) => () => h.fake.botMessages(chat).find((m) => m.text?.includes(text));
    renderer.beforeRender = async (onProgress) => {
      onProgress({ stage: 'rendering', step: 1, steps: 3 });
      await h.fake.waitFor(statusWith('step 1 of 3'), 'the status message at step 1');
      // Two events in one tick: the status message shows only the latest.
      onProgress({ stage: 'rendering', step: 2, steps: 3 });
      onProgress({ stage: 'rendering', step: 3, steps: 3 });
      await h.fake.waitFor(statusWith('step 3 of 3'), 'the status message at step 3');
    };
    const { sent: request, answer: edited } = await answerToPhoto(
      h.fake,
      chat,
      photo,
      { caption: 'sadder' },
      isPicture,
      'the picture',
    );
    renderer.beforeRender = undefined;
    assert.ok(
      h.fake
        .callsOf('sendChatAction')
        .some((c) => c.params.action === 'upload_photo' && Number(c.params.chat_id) === chat.id),
      'the upload_photo chat action was shown',
    );
    const statusSends = h.fake
      .callsOf('sendMessage')
      .filter((c) => /^(Planning|Rendering|Queued)/.test(String(c.params.text)));
    assert.equal(statusSends.length, 1, 'one status message');
    const status = statusSends[0]!.result as { message_id: number; reply_to_message?: { message_id: number } };
    assert.equal(status.reply_to_message?.message_id, request.message_id);
    const edits = h.fake.callsOf('editMessageText').filter((c) => Number(c.params.message_id) === status.message_id);
    assert.ok(edits.some((c) => String(c.params.text).includes('step 3 of 3')));
    assert.ok(!edits.some((c) => String(c.params.text).includes('step 2 of 3')), 'step 2 was never shown on its own');
    await h.fake.waitFor(() => h.fake.isDeleted(chat, status.message_id), 'the status message to be deleted');
    const deletion = h.fake.callsOf('deleteMessage').find((c) => Number(c.params.message_id) === status.message_id)!;
    const upload = h.fake
      .callsOf('sendPhoto')
      .find((c) => (c.result as { message_id?: number } | undefined)?.message_id === edited.message_id)!;
    assert.ok(deletion.sequence > upload.sequence, 'deleted after the picture was sent');
  });

  it('answers a button press at once, even while an earlier edit of the same conversation runs', async () => {
    const earlier = h.fake.botMessages(chat).filter(isPicture).at(-1)!;
    const { rendering, release } = renderer.hold();
    h.fake.userSendsText('make it calm');
    await rendering;
    const queryId = h.fake.userPressesButton(earlier, button(earlier, 'More'));
    await h.fake.waitFor(() => h.fake.wasAnswered(queryId), 'the button press to be answered while the edit is held');
    renderer.beforeRender = undefined;
    release();
    const stronger = await h.fake.waitForBotMessage(
      chat,
      earlier.message_id,
      (m) => isPicture(m) && m.reply_to_message?.message_id === earlier.message_id,
      'the edit of the pressed button',
    );
    assert.match(stronger.caption ?? '', /sadness · strong/);
  });

  it('serves another conversation while one edit is held', async () => {
    const { rendering, release } = renderer.hold({ once: true }); // only the first render waits
    const held = await h.fake.userSendsPhoto(photo, { caption: 'make it scary' });
    await rendering;
    const bobChat = h.fake.privateChat(h.fake.bob);
    const bobs = await botAnswers(
      h.fake,
      bobChat,
      () => h.fake.userSendsPhoto(photo, { user: h.fake.bob, caption: 'make it calm' }),
      isPicture,
      "Bob's edit while Alice's is held",
    );
    assert.match(bobs.caption ?? '', /contentment/);
    assert.equal(
      h.fake.botMessages(chat).filter((m) => m.reply_to_message?.message_id === held.message_id && isPicture(m)).length,
      0,
      "Alice's edit is still held",
    );
    release();
    const alices = await h.fake.waitForBotMessage(
      chat,
      held.message_id,
      (m) => isPicture(m) && m.reply_to_message?.message_id === held.message_id,
      "Alice's edit",
    );
    assert.match(alices.caption ?? '', /fear/);
  });

  it('finishes an edit in flight on stop, confirms its update, and does not handle it again after a restart', async () => {
    const { rendering, release } = renderer.hold();
    // Long polls after this one fail, so only the confirmation at stop can confirm the photo's update.
    h.fake.failNext(
      'getUpdates',
      { kind: 'drop_connection' },
      { times: 1000, when: (params) => Number(params.timeout ?? 0) > 0 },
    );
    const request = await h.fake.userSendsPhoto(photo, { caption: 'make it scary' });
    await rendering;
    let stopped = false;
    const stopping = h.adapter.stop().then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(stopped, false, 'stop waits for the edit in flight');
    release();
    await stopping;
    h.fake.clearFaults();
    renderer.beforeRender = undefined;
    const answers = () =>
      h.fake.botMessages(chat).filter((m) => isPicture(m) && m.reply_to_message?.message_id === request.message_id);
    assert.equal(answers().length, 1, 'the edit in flight was sent before the bot stopped');
    assert.deepEqual(h.fake.unconfirmedUpdates, [], 'every update handled was confirmed');

    await h.engine.close();
    const later = h.fake.userSendsText('/help');
    await h.startBot();
    await h.fake.waitFor(
      () => h.fake.botMessages(chat).find((m) => m.reply_to_message?.message_id === later.message_id),
      'the answer after the restart',
    );
    assert.equal(answers().length, 1, 'the photo was not handled a second time');
  });
});

/** The adapter's options for a webhook on 127.0.0.1:`port` at `/telegram/hook`, with `secret`. */
function webhookOn(port: number, secret: string) {
  return {
    webhookUrl: `http://127.0.0.1:${port}/telegram/hook`,
    webhookPort: port,
    webhookHost: '127.0.0.1',
    webhookSecret: secret,
  };
}

describe('Telegram: webhook mode', () => {
  let h: Harness;
  let port: number;
  const secret = 'webhook-secret_123';
  before(async () => {
    port = await freePort();
    h = await startHarness({
      adapter: webhookOn(port, secret),
    });
  });
  after(() => h.close());

  it('sets the webhook with its secret and edits photos that arrive through it', async () => {
    assert.equal(h.adapter.mode, 'webhook');
    assert.equal(h.fake.webhook?.secretToken, secret);
    const chat = h.fake.privateChat();
    const edited = await botAnswers(
      h.fake,
      chat,
      async () => h.fake.userSendsPhoto(await smallPhoto(), { caption: 'sadder' }),
      isPicture,
      'the picture',
    );
    assert.match(edited.caption ?? '', /sadness/);
    assert.equal(h.fake.callsOf('getUpdates').length, 0, 'no long polling');
  });

  it('refuses webhook calls without the secret', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/telegram/hook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'wrong' },
      body: JSON.stringify({
        update_id: 1,
        message: { message_id: 1, date: 0, chat: { id: 1, type: 'private' }, text: '/help' },
      }),
    });
    assert.equal(response.status, 401);
  });

  it('refuses a body over 1 MB, a body that is no update, other paths and methods, and still takes the next update', async () => {
    const hook = `http://127.0.0.1:${port}/telegram/hook`;
    const post = (body: string, path = hook) =>
      fetch(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
        body,
      });
    // Answered before the whole body is read, so with node:http, which reads the answer while it still writes.
    const tooLarge = await new Promise<number | undefined>((resolve, reject) => {
      const request = httpRequest(
        hook,
        { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret } },
        (response) => {
          response.resume();
          resolve(response.statusCode);
        },
      );
      request.on('error', (error: NodeJS.ErrnoException) =>
        error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error),
      );
      request.end(JSON.stringify({ update_id: 9_000_001, padding: 'x'.repeat(1024 * 1024) }));
    });
    assert.equal(tooLarge, 413);
    assert.equal((await post('{"update_id": ')).status, 400);
    assert.equal((await post(JSON.stringify({ message: { message_id: 1 } }))).status, 400);
    assert.equal((await post(JSON.stringify({ update_id: 9_000_002 }), `http://127.0.0.1:${port}/other`)).status, 404);
    assert.equal((await fetch(hook, { headers: { 'x-telegram-bot-api-secret-token': secret } })).status, 404);
    const chat = h.fake.privateChat();
    const sent = h.fake.userSendsText('/help', { chat });
    await h.fake.waitFor(
      () => h.fake.botMessages(chat).find((m) => m.reply_to_message?.message_id === sent.message_id),
      'the answer to /help',
    );
  });
});

describe('Telegram: webhook mode, an edit in flight and a graceful stop', () => {
  let h: Harness;
  let port: number;
  const secret = 'webhook-secret_456';
  const renderer = new HookedRenderer();
  before(async () => {
    port = await freePort();
    h = await startHarness({
      parts: { renderer },
      adapter: webhookOn(port, secret),
    });
  });
  after(() => h.close());

  it('answers an update before its edit is done, refuses new ones with 503 while stopping, and sends the edit in flight', async () => {
    const chat = h.fake.privateChat();
    const { rendering, release } = renderer.hold();
    const request = h.fake.userSendsPhoto(await smallPhoto(), { caption: 'make it scary', chat });
    await rendering;
    // The fake delivers one update at a time and waits for each answer: the next one arrives while the edit is held.
    const help = h.fake.userSendsText('/help', { user: h.fake.bob });
    await h.fake.waitFor(
      () =>
        h.fake
          .botMessages(h.fake.privateChat(h.fake.bob))
          .find((m) => m.reply_to_message?.message_id === help.message_id),
      "Bob's answer while the edit is held",
    );
    let stopped = false;
    const stopping = h.adapter.stop().then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(h.adapter.isReady(), false);
    // A new connection (the fake's own keep-alive one was closed as idle when the stop began).
    const late = await new Promise<number | undefined>((resolve, reject) => {
      const body = JSON.stringify({
        update_id: 9_100_000,
        message: { message_id: 1, date: 0, chat: { id: 1, type: 'private' }, text: '/help' },
      });
      const call = httpRequest(
        `http://127.0.0.1:${port}/telegram/hook`,
        {
          method: 'POST',
          agent: false,
          headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
        },
        (response) => {
          response.resume();
          resolve(response.statusCode);
        },
      );
      call.on('error', reject);
      call.end(body);
    });
    assert.equal(late, 503, 'Telegram keeps the update for the next start');
    assert.equal(stopped, false, 'stop waits for the edit in flight');
    release();
    renderer.beforeRender = undefined;
    await stopping;
    const sent = await request;
    assert.equal(
      h.fake.botMessages(chat).filter((m) => isPicture(m) && m.reply_to_message?.message_id === sent.message_id).length,
      1,
      'the edit in flight was sent before the bot stopped',
    );
  });
});
