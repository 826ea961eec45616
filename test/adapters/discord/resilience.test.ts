/**
 * End to end: what goes wrong on Discord and how the bot copes. Pictures from other hosts,
 * a dropped gateway, REST 429s, an interaction token that expires before the picture is
 * ready, a small upload limit, and a failure inside one turn.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { ToneRenderer } from '../../../src/renderer/tone-renderer.ts';
import type { Renderer } from '../../../src/renderer/renderer.ts';
import { editWithPhoto, moodEdit, smallPhoto, startHarness, uploadPhoto, type Harness } from './harness.ts';

describe('Discord: safety and resilience', () => {
  let h: Harness;

  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it('refuses a picture served from another host, without downloading it', async () => {
    const elsewhere = h.fake.uploadFile(await smallPhoto(), 'cat.png', 'image/png', `localhost:${h.fake.port}`);
    const interaction = moodEdit(h, { photo: elsewhere, feeling: 'sadder' });
    const refusal = await h.fake.waitForText(interaction, /only take pictures uploaded to this chat/);
    assert.equal(refusal.attachments.length, 0);
    const path = new URL(elsewhere.url).pathname;
    assert.ok(!h.fake.requests.some((r) => r.path === path), 'the file was never requested');
  });

  it('resumes the same gateway session after the connection drops, and the next command still works', async () => {
    const session = h.fake.gateway.sessions[0]!;
    assert.equal(h.fake.gateway.dropConnections(), 1);
    await h.fake.waitFor(
      () => session.resumes === 1 && h.fake.gateway.isConnected(session),
      20_000,
      'the session to be resumed',
    );
    assert.equal(h.fake.gateway.stats.identifies, 1, 'the bot resumed rather than identifying again');
    assert.ok(h.fake.gateway.stats.resumeUrlConnections >= 1, 'it reconnected to resume_gateway_url');

    const { picture } = await editWithPhoto(h, { feeling: 'calmer' });
    assert.match(picture.content, /more contentment than the original · moderate/);
  });

  it('gets an event sent while it was disconnected, replayed on resume', async () => {
    const session = h.fake.gateway.sessions[0]!;
    // Reconnecting can take longer than Discord's 3 s on a busy machine; this test is about the replay.
    const ackWindow = h.fake.options.ackWindowMs;
    h.fake.options.ackWindowMs = 30_000;
    try {
      h.fake.gateway.dropConnections({ terminate: true });
      await h.fake.waitFor(() => !h.fake.gateway.isConnected(session), 5_000, 'the socket to close');
      const interaction = h.fake.slashCommand({
        user: h.alice,
        channel: h.channel,
        command: 'mood',
        subcommand: 'undo',
      });
      await h.fake.waitFor(() => session.resumes === 2, 20_000, 'the second resume');
      const answer = await h.fake.waitForPicture(interaction);
      assert.match(answer.content, /original photo/i);
    } finally {
      h.fake.options.ackWindowMs = ackWindow;
    }
  });

  it('waits out a REST 429 and still delivers the picture', async () => {
    h.fake.rateLimit({
      method: 'PATCH',
      path: /^\/webhooks\/\d+\/[^/]+\/messages\/@original$/,
      count: 1,
      retryAfterSeconds: 0.4,
    });
    const { interaction, picture } = await editWithPhoto(h, { feeling: 'angrier' });
    assert.match(picture.content, /→ anger/);
    const patches = h.fake.requests.filter((r) => r.method === 'PATCH' && r.path.includes(interaction.token));
    const limited = patches.findIndex((r) => r.rateLimited);
    assert.ok(limited >= 0, 'the fake answered 429 once');
    const retry = patches[limited + 1];
    assert.ok(retry && retry.status === 200, 'the same request was sent again and accepted');
    assert.ok(
      retry.at - patches[limited]!.at >= 400,
      `the retry came after Retry-After (${retry.at - patches[limited]!.at} ms)`,
    );
  });

  it("waits out a global 429 on the acknowledgement itself, within Discord's 3 seconds", async () => {
    h.fake.rateLimit({
      method: 'POST',
      path: /^\/interactions\/\d+\/[^/]+\/callback$/,
      count: 1,
      retryAfterSeconds: 0.3,
      global: true,
    });
    const interaction = h.fake.slashCommand({
      user: h.alice,
      channel: h.channel,
      command: 'mood',
      subcommand: 'emotions',
    });
    await h.fake.waitForText(interaction, /I can make a picture feel/);
    assert.equal(interaction.callbackType, 5);
    assert.ok(
      h.fake.requests.some((r) => r.rateLimited && r.path.includes(interaction.id)),
      'the first try was refused',
    );
  });

  it("re-encodes a picture that is over the interaction's upload limit, keeping its shape", async () => {
    const big = await smallPhoto('astronaut.png', 400);
    const limit = 40 * 1024;
    assert.ok(big.length > limit, 'the test picture starts over the limit');
    const photo = h.fake.uploadFile(big, 'astronaut.png', 'image/png');
    const interaction = moodEdit(h, { photo, feeling: 'more awe', attachmentSizeLimit: limit });
    const picture = await h.fake.waitForPicture(interaction);
    const file = picture.attachments[0]!;
    assert.ok(file.size <= limit, `the upload fits (${file.size} bytes)`);
    const [input, output] = await Promise.all([sharp(big).metadata(), sharp(file.bytes).metadata()]);
    assert.equal(output.format, 'jpeg');
    assert.ok(
      Math.abs(output.width! / output.height! - input.width! / input.height!) < 0.02,
      'the aspect ratio is kept',
    );
    assert.match(picture.content, /Re-encoded/);
  });

  it('asks for a reconnect (op 7) and keeps serving', async () => {
    const session = h.fake.gateway.sessions[0]!;
    const resumes = session.resumes;
    h.fake.gateway.requestReconnect();
    await h.fake.waitFor(
      () => session.resumes === resumes + 1 && h.fake.gateway.isConnected(session),
      20_000,
      'the resume after op 7',
    );
    const interaction = h.fake.slashCommand({
      user: h.alice,
      channel: h.channel,
      command: 'mood',
      subcommand: 'emotions',
    });
    await h.fake.waitForText(interaction, /I can make a picture feel/);
  });
});

/** The tone renderer, made slow or failing on demand. */
class ControlledRenderer implements Renderer {
  readonly name = 'controlled-tone';
  readonly #tone = new ToneRenderer();
  delayMs = 0;
  failNext = false;

  async render(request: Parameters<Renderer['render']>[0]): ReturnType<Renderer['render']> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('the renderer broke (on purpose)');
    }
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    return this.#tone.render(request);
  }
}

describe('Discord: slow and failing turns', () => {
  let h: Harness;
  const renderer = new ControlledRenderer();

  before(async () => {
    h = await startHarness({ fake: { tokenLifetimeMs: 1_500 }, parts: { renderer } });
  });
  after(() => h.close());

  it('posts a result that outlives the interaction token in the channel, mentioning the person', async () => {
    renderer.delayMs = 2_500;
    const interaction = moodEdit(h, { photo: await uploadPhoto(h.fake), feeling: 'sadder' });
    const late = await h.fake.waitFor(
      () => h.fake.botMessagesIn(h.channel).find((m) => m.attachments.length > 0),
      20_000,
      'a channel message with the picture',
    );
    renderer.delayMs = 0;
    assert.ok(late.content.startsWith(`<@${h.alice.id}>`), `the person is mentioned: ${late.content}`);
    assert.match(late.content, /→ sadness/);
    assert.ok(
      h.fake.responsesOf(interaction).every((m) => m.attachments.length === 0),
      'the expired reply got no picture',
    );

    // The late message is linked to its edit like any other: its buttons work.
    const press = h.fake.pressButton({ user: h.alice, message: late, label: 'More' });
    const stronger = await h.fake.waitForPicture(press);
    assert.match(stronger.content, /sadness · strong/);
  });

  it('apologises when a turn fails, and serves the next one', async () => {
    renderer.failNext = true;
    const photo = await uploadPhoto(h.fake);
    const failing = moodEdit(h, { photo, feeling: 'scarier' });
    await h.fake.waitForText(failing, /Sorry, something went wrong/);

    const next = moodEdit(h, { photo, feeling: 'scarier' });
    const picture = await h.fake.waitForPicture(next);
    assert.match(picture.content, /→ fear/);
  });
});
