import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { startWeb } from '../../../adapters/web/index.ts';
import { fixture, GatedRenderer, Session, startTestWeb, type TestWeb } from './web-test-engine.ts';

/** A real PNG whose header claims 30 000 × 30 000 pixels (900 megapixels) in under 100 bytes. */
async function pixelBomb(): Promise<Buffer> {
  const png = await sharp({ create: { width: 1, height: 1, channels: 3, background: '#808080' } })
    .png()
    .toBuffer();
  const bomb = Buffer.from(png);
  // IHDR data starts after the 8-byte signature, 4-byte length and 4-byte type.
  bomb.writeUInt32BE(30_000, 16);
  bomb.writeUInt32BE(30_000, 20);
  bomb.writeUInt32BE(crc32(bomb.subarray(12, 29)), 29);
  return bomb;
}

/** A small JPEG (quick to render) from a shared photo. */
async function smallPhoto(name = 'astronaut.png', width = 160): Promise<Buffer> {
  return sharp(fixture(name)).resize({ width }).jpeg().toBuffer();
}

describe('web chat API over HTTP', () => {
  let t: TestWeb;
  before(async () => {
    t = await startTestWeb();
  });
  after(async () => {
    await t.close();
  });

  for (const name of ['astronaut.png', 'chelsea.png', 'coffee.png', 'rocket.jpg', 'hubble_deep_field.jpg']) {
    it(`edits ${name} and serves the edited picture to its owner`, async () => {
      const me = new Session(t.web.url);
      const photo = fixture(name);
      const { status, body } = await me.upload(photo, 'make this sadder', {
        name,
        type: name.endsWith('.png') ? 'image/png' : 'image/jpeg',
      });
      assert.equal(status, 200, JSON.stringify(body));
      const [reply] = body.replies;
      assert.equal(reply?.kind, 'edit');
      assert.equal(reply.target, 'sadness');
      assert.match(reply.text, /sadness/);
      assert.ok(reply.actions.includes('more') && reply.actions.includes('undo'));
      assert.equal(reply.emotions.length, 7);
      const picture = await me.request(reply.image!.url);
      assert.equal(picture.status, 200);
      assert.match(picture.headers.get('content-type') ?? '', /^image\/(png|jpeg)$/);
      const bytes = Buffer.from(await picture.arrayBuffer());
      const original = await sharp(photo).metadata();
      const edited = await sharp(bytes).metadata();
      assert.deepEqual([edited.width, edited.height], [original.width, original.height]);
      assert.notDeepEqual(bytes, photo, 'the edited picture differs from the upload');
      const download = await me.request(reply.image!.downloadUrl);
      assert.match(
        download.headers.get('content-disposition') ?? '',
        /^attachment; filename="moodshift-sadness\.(png|jpg)"$/,
      );
    });
  }

  it('refines the current edit with a follow-up, undoes it, and branches from an earlier picture', async () => {
    const me = new Session(t.web.url);
    const first = await me.upload(await smallPhoto(), 'make this sadder', { type: 'image/jpeg', name: 'a.jpg' });
    const sad = first.body.replies[0]!;
    assert.equal(sad.kind, 'edit');
    assert.match(sad.text, /moderate/);

    const more = await me.say({ text: 'more' });
    assert.equal(more.status, 200);
    const stronger = more.body.replies[0]!;
    assert.equal(stronger.target, 'sadness');
    assert.match(stronger.text, /strong/);
    assert.notEqual(stronger.editId, sad.editId);
    assert.equal(stronger.original?.editId, sad.original?.editId, 'both render from the same original');

    const undo = await me.say({ action: { kind: 'undo', editId: stronger.editId } });
    assert.equal(undo.status, 200);
    assert.equal(undo.body.replies[0]!.editId, sad.editId, 'undo shows the earlier picture again');
    assert.equal(undo.body.replies[0]!.image?.url, sad.image?.url);
    assert.ok(undo.body.replies[0]!.actions.includes('redo'));

    const scary = await me.say({ text: 'make it scary' });
    assert.equal(scary.body.replies[0]!.target, 'fear');
    // Replying to the first sad picture acts on it, not on the scary one.
    const branch = await me.say({ text: 'make it angry', replyTo: sad.id });
    assert.equal(branch.status, 200);
    const angry = branch.body.replies[0]!;
    assert.equal(angry.target, 'anger');
    const tree = (await (await me.request('/api/conversation')).json()) as {
      cursor: string;
      edits: Array<{ id: string; parent?: string; target?: string }>;
    };
    const byId = new Map(tree.edits.map((edit) => [edit.id, edit]));
    assert.equal(byId.get(angry.editId!)?.parent, sad.editId);
    assert.equal(byId.get(scary.body.replies[0]!.editId!)?.parent, sad.editId);
    assert.equal(tree.cursor, angry.editId);

    // Replying to the person's own photo message starts again from the original.
    const fromPhoto = await me.say({ text: 'make it calm', replyTo: first.body.messageId });
    assert.equal(fromPhoto.status, 200);
    const calm = fromPhoto.body.replies[0]!;
    const treeAfter = (await (await me.request('/api/conversation')).json()) as typeof tree;
    assert.equal(treeAfter.edits.find((edit) => edit.id === calm.editId)?.parent, sad.original?.editId);
    assert.ok(!JSON.stringify(tree).match(/[0-9a-f]{64}/), 'the tree never shows content hashes');
  });

  it('branches when a button names an earlier picture', async () => {
    const me = new Session(t.web.url);
    const first = (await me.upload(await smallPhoto('chelsea.png'), 'make it calm', { type: 'image/jpeg' })).body
      .replies[0]!;
    await me.say({ text: 'make it scary' });
    const chip = await me.say({ action: { kind: 'emotion', emotion: 'anger', editId: first.editId } });
    assert.equal(chip.status, 200);
    const tree = (await (await me.request('/api/conversation')).json()) as {
      edits: Array<{ id: string; parent?: string }>;
    };
    assert.equal(tree.edits.find((edit) => edit.id === chip.body.replies[0]!.editId)?.parent, first.editId);
  });

  it('refuses a text file with a clear message and keeps serving', async () => {
    const me = new Session(t.web.url);
    const { status, body } = await me.upload(Buffer.from('hello, this is not a picture\n'), 'make it sadder', {
      name: 'notes.txt',
      type: 'text/plain',
    });
    assert.equal(status, 415);
    assert.equal(body.replies[0]!.kind, 'error');
    assert.equal(body.replies[0]!.code, 'image_format_not_allowed');
    assert.match(body.replies[0]!.text, /JPEG, PNG, WebP/);
    assert.equal((await me.request('/healthz')).status, 200);
    assert.equal((await me.upload(await smallPhoto(), 'sadder', { type: 'image/jpeg' })).status, 200);
  });

  it('refuses a truncated PNG as broken', async () => {
    const me = new Session(t.web.url);
    const png = fixture('chelsea.png');
    const { status, body } = await me.upload(png.subarray(0, Math.floor(png.length / 2)), 'make it sadder');
    assert.equal(status, 422);
    assert.equal(body.replies[0]!.code, 'image_corrupt');
    assert.match(body.replies[0]!.text, /broken or incomplete/);
    assert.equal((await me.request('/healthz')).status, 200);
  });

  it('refuses a pixel bomb before decoding it', async () => {
    const me = new Session(t.web.url);
    const { status, body } = await me.upload(await pixelBomb(), 'make it sadder');
    assert.equal(status, 413);
    assert.equal(body.replies[0]!.code, 'image_too_many_pixels');
    assert.match(body.replies[0]!.text, /too many pixels/);
    assert.equal((await me.upload(await smallPhoto(), 'sadder', { type: 'image/jpeg' })).status, 200);
  });

  it("never serves another conversation's picture or lets it be continued", async () => {
    const owner = new Session(t.web.url);
    const reply = (await owner.upload(await smallPhoto(), 'make this sadder', { type: 'image/jpeg' })).body.replies[0]!;
    assert.equal((await owner.request(reply.image!.url)).status, 200);

    const stranger = new Session(t.web.url);
    await stranger.request('/');
    assert.ok(stranger.cookie);
    assert.equal((await stranger.request(reply.image!.url)).status, 404);
    assert.equal((await stranger.request(reply.original!.url)).status, 404);
    assert.equal((await new Session(t.web.url).request(reply.image!.url)).status, 404, 'no cookie, no picture');
    const forged = new Session(t.web.url);
    forged.cookie = 'moodshift_session=../../etc/passwd';
    assert.equal((await forged.request(reply.image!.url)).status, 404);

    const tryReply = await stranger.say({ text: 'make it angry', replyTo: reply.id });
    assert.equal(tryReply.body.replies[0]!.kind, 'error');
    assert.equal(tryReply.body.replies[0]!.code, 'no_image');
    const tryButton = await stranger.say({ action: { kind: 'more', editId: reply.editId } });
    assert.equal(tryButton.body.replies[0]!.kind, 'error');
    const tree = (await (await stranger.request('/api/conversation')).json()) as { edits: unknown[] };
    assert.deepEqual(tree.edits, []);
  });

  it('asks for a feeling when a photo comes alone, and a chip then edits it', async () => {
    const me = new Session(t.web.url);
    const { status, body } = await me.upload(await smallPhoto(), '', { type: 'image/jpeg' });
    assert.equal(status, 200);
    const ask = body.replies[0]!;
    assert.equal(ask.kind, 'ask');
    assert.equal(ask.emotions.length, 8);
    const chip = await me.say({ action: { kind: 'emotion', emotion: 'awe', editId: ask.editId } });
    assert.equal(chip.body.replies[0]!.target, 'awe');
  });

  it('pushes progress for a turn over server-sent events', async () => {
    const me = new Session(t.web.url);
    await me.request('/');
    const controller = new AbortController();
    const events = await me.request('/api/events', { signal: controller.signal });
    assert.equal(events.status, 200);
    assert.match(events.headers.get('content-type') ?? '', /^text\/event-stream/);
    const reader = events.body!.pipeThrough(new TextDecoderStream()).getReader();
    let received = '';
    const until = async (pattern: RegExp): Promise<void> => {
      while (!pattern.test(received)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${pattern}: ${received}`);
        received += value;
      }
    };
    await until(/event: ready/);
    const turn = me.upload(await smallPhoto(), 'make it scary', { type: 'image/jpeg' });
    const form = await turn;
    assert.equal(form.status, 200);
    await until(/"stage":"done"/);
    const progress = received
      .split('\n')
      .filter((line) => line.startsWith('data: {"turnId"'))
      .map((line) => JSON.parse(line.slice(6)) as { turnId: string; text: string; progress: { stage: string } });
    assert.ok(progress.every((event) => event.turnId === form.body.turnId));
    assert.deepEqual(progress.at(-1)?.progress, { stage: 'done' });
    assert.equal(progress.at(-1)?.text, 'Done.');
    controller.abort();
  });

  it('refuses other content types, bad JSON and cross-site posts', async () => {
    const me = new Session(t.web.url);
    const text = await me.request('/api/turns', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'sadder',
    });
    assert.equal(text.status, 415);
    const bad = await me.request('/api/turns', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{nope',
    });
    assert.equal(bad.status, 400);
    const wrongAction = await me.say({ action: { kind: 'delete-everything' } });
    assert.equal(wrongAction.status, 400);
    const crossSite = await me.request('/api/turns', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://evil.example' },
      body: JSON.stringify({ text: 'undo' }),
    });
    assert.equal(crossSite.status, 403);
    const tooLong = await me.say({ text: 'sad '.repeat(600) });
    assert.equal(tooLong.status, 422);
    assert.match(tooLong.body.replies[0]!.text, /too long/);
  });

  it('serves only its own files, with security headers and a strict session cookie', async () => {
    const me = new Session(t.web.url);
    const page = await me.request('/');
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /img-src 'self' blob: data:/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    const cookie = page.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^moodshift_session=[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43};/, 'a random id and its signature');
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    const html = await page.text();
    assert.doesNotMatch(html, /<script>|<style>|\sstyle=|\son[a-z]+=/, 'no inline scripts or styles');
    for (const asset of ['/app.js', '/style.css', '/icon.svg'])
      assert.equal((await me.request(asset)).status, 200, asset);
    for (const path of [
      '/../package.json',
      '/%2e%2e/package.json',
      '/app.js/../../src/engine.ts',
      '/public/app.js',
      '/index.ts',
      '/%2e%2e%2fapp.ts',
    ]) {
      const response = await me.request(path);
      assert.equal(response.status, 404, path);
    }
    const health = await me.request('/healthz');
    assert.deepEqual(await health.json(), { status: 'ok' });
  });
});

describe('web chat limits', () => {
  it('says what to change when its port is taken', async () => {
    const t = await startTestWeb();
    try {
      const port = Number(new URL(t.web.url).port);
      await assert.rejects(startWeb(t.engine, { port, host: '127.0.0.1' }), (error: Error) => {
        assert.equal(error.name, 'ConfigError');
        assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port} \\(the port is in use\\): set WEB_PORT`));
        return true;
      });
      await assert.rejects(startWeb(t.engine, { port: 70_000 }), /WEB_PORT to a whole number/);
      assert.equal((await fetch(`${t.web.url}/healthz`)).status, 200);
    } finally {
      await t.close();
    }
  });

  it('refuses an upload over the image limit with 413 before reading it all', async () => {
    const t = await startTestWeb({ maxImageBytes: 50_000 });
    try {
      const me = new Session(t.web.url);
      const { status, body } = await me.upload(fixture('astronaut.png'), 'make it sadder');
      assert.equal(status, 413);
      assert.equal(body.replies[0]!.code, 'image_too_large');
      assert.match(body.replies[0]!.text, /too big/);
      assert.equal((await me.request('/healthz')).status, 200);
    } finally {
      await t.close();
    }
  });

  it('limits the event streams of one session, and a closed tab frees its place', async () => {
    const t = await startTestWeb({ maxStreamsPerSession: 1 });
    try {
      const me = new Session(t.web.url);
      await me.request('/');
      const firstTab = new AbortController();
      const first = await me.request('/api/events', { signal: firstTab.signal });
      assert.equal(first.status, 200);
      const reader = first.body!.getReader();
      await reader.read();
      assert.equal((await me.request('/api/events')).status, 429);
      firstTab.abort();
      await reader.closed.catch(() => {});
      // The server notices the closed connection; the next tab gets a stream.
      let status = 0;
      for (let attempt = 0; attempt < 500 && status !== 200; attempt += 1) {
        const controller = new AbortController();
        const next = await me.request('/api/events', { signal: controller.signal });
        status = next.status;
        controller.abort();
        if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.equal(status, 200);
    } finally {
      await t.close();
    }
  });

  it('refuses more turns at once from one address than allowed, even with fresh cookies', async () => {
    const renderer = new GatedRenderer();
    const t = await startTestWeb({ maxTurnsPerClient: 1 }, {}, { renderer });
    try {
      const photo = await smallPhoto();
      const first = new Session(t.web.url).upload(photo, 'make it sadder', { type: 'image/jpeg' });
      await renderer.started;
      const second = await new Session(t.web.url).upload(photo, 'make it sadder', { type: 'image/jpeg' });
      assert.equal(second.status, 429);
      assert.equal(second.body.replies[0]!.code, 'too_many_jobs');
      assert.match(second.body.replies[0]!.text, /Please wait for (it|one) to finish/);
      renderer.open();
      assert.equal((await first).status, 200);
      assert.equal((await new Session(t.web.url).upload(photo, 'make it calm', { type: 'image/jpeg' })).status, 200);
    } finally {
      renderer.open();
      await t.close();
    }
  });

  it('finishes a turn in flight when it stops, then refuses new ones', async () => {
    const t = await startTestWeb();
    const me = new Session(t.web.url);
    await me.request('/');
    const events = await me.request('/api/events');
    const reader = events.body!.pipeThrough(new TextDecoderStream()).getReader();
    const turn = me.upload(await smallPhoto('coffee.png', 400), 'make it sadder', { type: 'image/jpeg' });
    // Stop only once the turn is surely in the engine's hands.
    for (let seen = ''; !seen.includes('"stage":"planning"');) {
      const { value, done } = await reader.read();
      if (done) throw new Error('event stream ended early');
      seen += value;
    }
    const stopped = t.web.stop();
    assert.equal(t.web.isReady(), false);
    const { status } = await turn;
    assert.equal(status, 200);
    await stopped;
    // The event stream was closed by the stop.
    for (;;) if ((await reader.read()).done) break;
    await assert.rejects(fetch(`${t.web.url}/healthz`));
    await t.engine.close();
  });
});
