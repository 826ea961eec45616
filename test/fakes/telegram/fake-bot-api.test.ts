/**
 * The fake Bot API server behaves like the documented Bot API where a bot would notice:
 * tokens, offsets, long polling, uploads, refusals and injected faults.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeBotApi } from './fake-bot-api.ts';

/** The answers these tests read: a list of updates, a message, or the bot. */
type Result = Array<{ update_id: number; message: { text: string; message_id: number } }> & {
  message_id: number;
  username: string;
};
interface Answer {
  ok: boolean;
  result: Result;
  description?: string;
  parameters?: { retry_after?: number };
}

describe('the fake Telegram Bot API server', () => {
  let fake: FakeBotApi;
  const call = async (method: string, body?: unknown) => {
    const response = await fetch(`${fake.apiRoot}/bot${fake.token}/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body ?? {}),
    });
    return { status: response.status, body: (await response.json()) as Answer };
  };
  before(async () => {
    fake = await FakeBotApi.start();
  });
  after(() => fake.close());

  it('refuses a wrong token with 401', async () => {
    const response = await fetch(`${fake.apiRoot}/bot999:wrong-token-here/getMe`);
    assert.equal(response.status, 401);
  });

  it('hands out updates until an offset past them confirms them', async () => {
    const message = fake.userSendsText('hello');
    const first = await call('getUpdates', { timeout: 0 });
    const [update] = first.body.result;
    assert.ok(update, 'one update');
    assert.equal(update.message.text, 'hello');
    assert.equal(update.message.message_id, message.message_id);
    const again = await call('getUpdates', { timeout: 0 });
    assert.equal(again.body.result.length, 1, 'not confirmed yet');
    const after = await call('getUpdates', { offset: update.update_id + 1, timeout: 0 });
    assert.deepEqual(after.body.result, []);
  });

  it('answers a long poll as soon as an update arrives', async () => {
    const polling = call('getUpdates', { timeout: 30 });
    setTimeout(() => fake.userSendsText('wake up'), 20);
    const answer = await polling;
    assert.equal(answer.body.result.at(-1)?.message.text, 'wake up');
  });

  it('takes a multipart upload with a quoted file name and JSON-valued fields', async () => {
    fake.userSendsText('hi');
    const form = new FormData();
    form.set('chat_id', String(fake.alice.id));
    form.set('document', new Blob([Buffer.from('%PDF-1.4 tiny')]), 'report "v1".pdf');
    form.set('reply_markup', JSON.stringify({ inline_keyboard: [[{ text: 'More', callback_data: 'ms:more:x' }]] }));
    const response = await fetch(`${fake.apiRoot}/bot${fake.token}/sendDocument`, { method: 'POST', body: form });
    const body = (await response.json()) as {
      ok: boolean;
      result: { document: { file_id: string; file_name: string }; reply_markup: unknown };
    };
    assert.equal(body.ok, true);
    assert.equal(body.result.document.file_name, 'report "v1".pdf');
    assert.equal(fake.fileBytes(body.result.document.file_id).toString(), '%PDF-1.4 tiny');
    assert.deepEqual(body.result.reply_markup, { inline_keyboard: [[{ text: 'More', callback_data: 'ms:more:x' }]] });
  });

  it('refuses what Telegram refuses: long texts, long callback data, unchanged edits, a first message to a stranger', async () => {
    const chat_id = fake.alice.id;
    assert.equal((await call('sendMessage', { chat_id, text: 'x'.repeat(4097) })).status, 400);
    const long = { inline_keyboard: [[{ text: 'b', callback_data: 'x'.repeat(65) }]] };
    assert.equal(
      (await call('sendMessage', { chat_id, text: 'hi', reply_markup: long })).body.description,
      'Bad Request: BUTTON_DATA_INVALID',
    );
    const sent = await call('sendMessage', { chat_id, text: 'same' });
    const edit = await call('editMessageText', { chat_id, message_id: sent.body.result.message_id, text: 'same' });
    assert.match(edit.body.description ?? '', /message is not modified/);
    const stranger = await call('sendMessage', { chat_id: 424242, text: 'hello?' });
    assert.equal(stranger.status, 400, 'unknown chat');
    fake.privateChat({ id: 434343, is_bot: false, first_name: 'Quiet' });
    assert.equal(
      (await call('sendMessage', { chat_id: 434343, text: 'hello?' })).status,
      403,
      'a person who never wrote to the bot',
    );
  });

  it('injects a 429 with retry_after, a 500 and a dropped connection, once each', async () => {
    fake.failNext('getMe', { kind: 'rate_limit', retryAfterSeconds: 3 });
    const limited = await call('getMe');
    assert.equal(limited.status, 429);
    assert.equal(limited.body.parameters?.retry_after, 3);
    fake.failNext('getMe', { kind: 'server_error' });
    assert.equal((await call('getMe')).status, 500);
    fake.failNext('getMe', { kind: 'drop_connection' });
    await assert.rejects(call('getMe'));
    assert.equal((await call('getMe')).body.result.username, 'moodshift_test_bot');
  });
});
