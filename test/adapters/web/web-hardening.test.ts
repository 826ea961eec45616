/**
 * The web chat against hostile requests (issue 13): host names it must not answer to, DNS
 * rebinding towards the moderator commands, cross-site posts, made-up session cookies, fresh
 * cookies to get round the limits, event streams that pile up, Redis going away, and uploads
 * that stop half-way. Every test talks to the real server on a real port; headers a browser
 * would never let a page forge are sent with node:http or a raw socket.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { existsSync } from 'node:fs';
import { pino } from 'pino';
import sharp from 'sharp';
import { chromium } from 'playwright-core';
import { startWeb } from '../../../adapters/web/index.ts';
import { NewSessionLimiter } from '../../../adapters/web/session.ts';
import { redisTestOptions, startTestRedis, type TestRedis } from '../../helpers/redis-server.ts';
import { createTestEngine, fixture, Session, startTestWeb, type TestWeb, type TurnBody } from './web-test-engine.ts';

const smallPhoto = () => sharp(fixture('rocket.jpg')).resize({ width: 160 }).jpeg().toBuffer();

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The session cookie the answer set (`moodshift_session=…`), if any. */
  cookie?: string;
}

/** One request with exactly the headers given (Host included), as a script, not a browser, would send it. */
function raw(
  base: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path,
        method: options.method ?? 'GET',
        headers: options.headers ?? {},
        agent: false,
        setHost: false,
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          const cookie = (response.headers['set-cookie'] ?? [])
            .map((line) => line.split(';')[0]!)
            .find((line) => line.startsWith('moodshift_session='));
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text, ...(cookie ? { cookie } : {}) });
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    if (options.body !== undefined) request.write(options.body);
    request.end();
  });
}

/** A JSON turn with the given headers. */
function rawTurn(
  base: string,
  text: string,
  headers: Record<string, string>,
): Promise<RawResponse & { body: TurnBody }> {
  return raw(base, '/api/turns', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ text }),
  }).then((response) => ({ ...response, body: JSON.parse(response.text) as TurnBody }));
}

describe('web chat: host names', () => {
  let t: TestWeb;
  let port: string;
  before(async () => {
    t = await startTestWeb({ allowedHosts: ['chat.example.com', 'lan.example:8443'] });
    port = new URL(t.web.url).port;
  });
  after(async () => t?.close());

  it('refuses a Host it does not know with 421 and names the setting to add', async () => {
    const refused = await raw(t.web.url, '/', { headers: { host: `rebind.evil.example:${port}` } });
    assert.equal(refused.status, 421);
    assert.equal(refused.cookie, undefined, 'no session for a refused host');
    const { error } = JSON.parse(refused.text) as { error: { code: string; message: string } };
    assert.equal(error.code, 'host_not_allowed');
    assert.match(error.message, /rebind\.evil\.example/);
    assert.match(error.message, /WEB_ALLOWED_HOSTS/);
    // Every path, not only the page; the request target cannot stand in for the Host either.
    assert.equal((await raw(t.web.url, '/api/meta', { headers: { host: `rebind.evil.example:${port}` } })).status, 421);
    assert.equal(
      (await raw(t.web.url, `http://rebind.evil.example:${port}/`, { headers: { host: `127.0.0.1:${port}` } })).status,
      421,
    );
    assert.equal((await raw(t.web.url, '/', { headers: { host: `0.0.0.0:${port}` } })).status, 421);
    assert.equal(
      (await raw(t.web.url, '/', { headers: { host: 'lan.example:9999' } })).status,
      421,
      'a listed port is the only port',
    );
  });

  it('answers the loopback names on any port, the listen address and the listed names', async () => {
    for (const host of [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      'localhost',
      `[::1]:${port}`,
      'chat.example.com',
      `CHAT.example.com:${port}`,
      'lan.example:8443',
    ]) {
      assert.equal((await raw(t.web.url, '/', { headers: { host } })).status, 200, host);
    }
    // Health checks (a container's probe uses the pod address) answer whatever the host.
    assert.equal((await raw(t.web.url, '/healthz', { headers: { host: `10.1.2.3:${port}` } })).status, 200);
  });

  it('refuses a bad WEB_ALLOWED_HOSTS entry at start with a sentence', async () => {
    const engine = await createTestEngine({ WEB_ALLOWED_HOSTS: 'chat.example.com,http://oops/' });
    try {
      await assert.rejects(startWeb(engine, { port: 0 }), /WEB_ALLOWED_HOSTS: "http:\/\/oops\/" is not a host name/);
    } finally {
      await engine.close();
    }
  });
});

describe('web chat: cross-site posts and moderator rights', () => {
  let t: TestWeb;
  let port: string;
  before(async () => {
    // The rebinding name is allowed here on purpose: even then it must not get moderator rights.
    t = await startTestWeb({ allowedHosts: ['rebind.evil.example', 'chat.example.com'] });
    port = new URL(t.web.url).port;
  });
  after(async () => t?.close());

  it('refuses DNS rebinding: Host and Origin of another site never reach /block', async () => {
    const evil = `rebind.evil.example:${port}`;
    const strict = await startTestWeb();
    try {
      const refused = await rawTurn(strict.web.url, '/block amusement', { host: evil, origin: `http://${evil}` });
      assert.equal(refused.status, 421);
    } finally {
      await strict.close();
    }
    // Allowed as a host name, it still is not this machine: no moderator rights.
    const notModerator = await rawTurn(t.web.url, '/block amusement', { host: evil, origin: `http://${evil}` });
    assert.equal(notModerator.status, 403);
    assert.equal(notModerator.body.replies[0]!.code, 'not_moderator');
    // Through a reverse proxy on this machine neither.
    const proxied = await rawTurn(t.web.url, '/block amusement', {
      host: `127.0.0.1:${port}`,
      origin: `http://127.0.0.1:${port}`,
      'x-forwarded-for': '203.0.113.9',
    });
    assert.equal(proxied.body.replies[0]!.code, 'not_moderator');
    // Nor through one that sets no forwarding headers: the browser's Origin is the public name.
    const plainProxy = await rawTurn(t.web.url, '/block amusement', {
      host: `127.0.0.1:${port}`,
      origin: 'https://chat.example.com',
    });
    assert.equal(plainProxy.status, 403);
    assert.equal(plainProxy.body.replies[0]!.code, 'not_moderator');
    // Amusement is still allowed for everyone.
    const visitor = new Session(t.web.url);
    const funny = await visitor.upload(await smallPhoto(), 'make it funny', { type: 'image/jpeg' });
    assert.equal(funny.body.replies[0]!.kind, 'edit', JSON.stringify(funny.body));
    // The operator at the page on this machine still has them.
    const operator = await rawTurn(t.web.url, '/block amusement', {
      host: `127.0.0.1:${port}`,
      origin: `http://127.0.0.1:${port}`,
    });
    assert.equal(operator.status, 200, operator.text);
    assert.equal(operator.body.replies[0]!.kind, 'info');
  });

  it('refuses a post with only a Referer, none at all, or an Origin that is not the page', async () => {
    const host = `127.0.0.1:${port}`;
    const cases: Array<[string, Record<string, string>]> = [
      ['Referer alone', { host, referer: `http://${host}/` }],
      ['no Origin', { host }],
      ['another site', { host, origin: 'http://evil.example' }],
      ['another program on this machine', { host, origin: 'http://127.0.0.1:1' }],
      ['a sandboxed frame', { host, origin: 'null' }],
      ['cross-site fetch metadata', { host, origin: `http://${host}`, 'sec-fetch-site': 'cross-site' }],
    ];
    for (const [name, headers] of cases) {
      const response = await rawTurn(t.web.url, 'undo', headers);
      assert.equal(response.status, 403, name);
      assert.equal(
        response.body.replies?.[0]?.code ?? (JSON.parse(response.text) as { error: { code: string } }).error.code,
        'cross_site',
        name,
      );
    }
    // The page's own posts: Origin of the page, or same-origin fetch metadata without Origin.
    const fromPage: Array<Record<string, string>> = [
      { host, origin: `http://${host}` },
      { host, 'sec-fetch-site': 'same-origin' },
      { host: 'localhost', origin: 'http://localhost' },
    ];
    for (const headers of fromPage) {
      const response = await rawTurn(t.web.url, 'hello', headers);
      assert.equal(response.status, 200, JSON.stringify(headers));
    }
  });
});

describe('web chat: session cookies', () => {
  it('never adopts a session id it did not issue, and takes its own back after a restart', async () => {
    const engine = await createTestEngine();
    let first = await startWeb(engine, { port: 0, host: '127.0.0.1' });
    try {
      const host = new URL(first.url).host;
      const madeUp = 'moodshift_session=AAAAAAAAAAAAAAAAAAAAAA';
      const page = await raw(first.url, '/', { headers: { host, cookie: madeUp } });
      assert.ok(page.cookie, 'a fresh cookie replaces the made-up one');
      assert.notEqual(page.cookie.split('=')[1]!.split('.')[0], 'AAAAAAAAAAAAAAAAAAAAAA');
      // A real id with a forged signature that names no conversation is not taken either.
      const realId = page.cookie.split('=')[1]!.split('.')[0]!;
      const forged = await raw(first.url, '/', {
        headers: { host, cookie: `moodshift_session=${realId}.${'x'.repeat(43)}` },
      });
      assert.ok(forged.cookie);
      assert.notEqual(forged.cookie.split('=')[1]!.split('.')[0], realId);

      const me = new Session(first.url);
      const sad = (await me.upload(await smallPhoto(), 'make this sadder', { type: 'image/jpeg' })).body.replies[0]!;
      assert.equal(sad.kind, 'edit');
      // A new process (a new signing key) with the same store: the conversation is still the person's.
      await first.stop();
      first = await startWeb(engine, { port: 0, host: '127.0.0.1' });
      const again = new Session(first.url);
      again.cookie = me.cookie;
      const tree = (await (await again.request('/api/conversation')).json()) as { edits: Array<{ id: string }> };
      assert.ok(
        tree.edits.some((edit) => edit.id === sad.editId),
        'the conversation survived the restart',
      );
      assert.notEqual(again.cookie, me.cookie, 'and its cookie is signed again with the new key');
      assert.equal((await again.request(sad.image!.url)).status, 200);
    } finally {
      await first.stop();
      await engine.close();
    }
  });

  it('counts new sessions of IPv6 addresses per /64, the block one host holds', () => {
    const limiter = new NewSessionLimiter(2);
    assert.equal(limiter.take('2001:db8:1:2::5'), true);
    assert.equal(limiter.take('2001:db8:1:2:aaaa:bbbb:cccc:dddd'), true);
    assert.equal(limiter.take('2001:0db8:0001:0002::77'), false, 'a third address of the same /64');
    assert.equal(limiter.take('2001:db8:1:3::5'), true, 'another /64 is another host');
    assert.equal(limiter.take('::ffff:192.0.2.1'), true);
    assert.equal(limiter.take('192.0.2.1'), true);
    assert.equal(limiter.take('192.0.2.1'), false, 'an IPv4-mapped address is that IPv4 address');
  });

  it('shares cookies between processes with the same WEB_SESSION_SECRET', async () => {
    const env = { WEB_SESSION_SECRET: 'a-test-secret-of-enough-length' };
    const one = await startTestWeb({}, env);
    const two = await startTestWeb({}, env);
    try {
      const tab = new Session(one.web.url);
      await tab.request('/');
      const issued = tab.cookie;
      const elsewhere = new Session(two.web.url);
      elsewhere.cookie = issued;
      const response = await elsewhere.request('/');
      assert.equal(response.headers.get('set-cookie'), null, 'the other process takes the cookie as it is');
      assert.equal(elsewhere.cookie, issued);
      // A secret too short to be a secret is refused at start.
      const engine = await createTestEngine({ WEB_SESSION_SECRET: 'short' });
      await assert.rejects(startWeb(engine, { port: 0 }), /WEB_SESSION_SECRET is too short/);
      await engine.close();
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('starts at most 10 new conversations a minute for one address, so dropping the cookie buys nothing', async () => {
    // `undefined` takes the real default instead of the test harness's raised one.
    const t = await startTestWeb({ newSessionsPerMinute: undefined });
    try {
      const kept = new Session(t.web.url);
      assert.equal((await kept.say({ text: 'hello' })).status, 200);
      for (let visitor = 2; visitor <= 10; visitor += 1) {
        assert.equal((await new Session(t.web.url).say({ text: 'hello' })).status, 200, `new conversation ${visitor}`);
      }
      const eleventh = await new Session(t.web.url).say({ text: 'hello' });
      assert.equal(eleventh.status, 429);
      assert.equal(eleventh.body.replies[0]!.code, 'too_many_new_sessions');
      assert.match(eleventh.body.replies[0]!.text, /10 a minute/);
      const page = await new Session(t.web.url).request('/');
      assert.equal(page.status, 429);
      assert.match(await page.text(), /wait a minute/);
      assert.equal((await new Session(t.web.url).request('/api/events')).status, 429);
      // A conversation that has its cookie goes on.
      assert.equal((await kept.say({ text: 'hello' })).status, 200);
    } finally {
      await t.close();
    }
    const fromEnv = await startTestWeb({ newSessionsPerMinute: undefined }, { WEB_NEW_SESSIONS_PER_MINUTE: '2' });
    try {
      assert.equal((await new Session(fromEnv.web.url).say({ text: 'hello' })).status, 200);
      assert.equal((await new Session(fromEnv.web.url).say({ text: 'hello' })).status, 200);
      assert.equal((await new Session(fromEnv.web.url).say({ text: 'hello' })).status, 429);
    } finally {
      await fromEnv.close();
    }
  });
});

/** Reads an event stream until it ends; resolves with all it said. */
async function readToEnd(response: Response): Promise<string> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return text;
    text += value;
  }
}

describe('web chat: event streams', () => {
  it('caps the streams of all sessions together with 503, and a closed one frees its place', async () => {
    const t = await startTestWeb({ maxStreams: 2 });
    try {
      const tabs = [new AbortController(), new AbortController()];
      for (const [index, tab] of tabs.entries()) {
        const response = await new Session(t.web.url).request('/api/events', { signal: tab.signal });
        assert.equal(response.status, 200, `stream ${index + 1}`);
        await response.body!.getReader().read();
      }
      const third = await new Session(t.web.url).request('/api/events');
      assert.equal(third.status, 503);
      const { error } = (await third.json()) as { error: { code: string; message: string } };
      assert.equal(error.code, 'too_many_streams_overall');
      assert.match(error.message, /try again/);
      tabs[0]!.abort();
      let status = 0;
      for (let attempt = 0; attempt < 500 && status !== 200; attempt += 1) {
        const controller = new AbortController();
        status = (await new Session(t.web.url).request('/api/events', { signal: controller.signal })).status;
        controller.abort();
        if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.equal(status, 200);
      tabs[1]!.abort();
    } finally {
      await t.close();
    }
  });

  // The timeout only bounds a failure (a stream that never ends); nothing here is measured.
  it('ends a stream that carried only keep-alives for streamIdleMs', { timeout: 60_000 }, async () => {
    const t = await startTestWeb({ streamIdleMs: 300, heartbeatMs: 20 });
    try {
      const me = new Session(t.web.url);
      const response = await me.request('/api/events');
      assert.equal(response.status, 200);
      const said = await readToEnd(response);
      assert.match(said, /event: ready/);
      assert.match(said, /: keep-alive/, 'it had keep-alives, and ended all the same');
    } finally {
      await t.close();
    }
  });

  it('answers an HTTP/1.0 client without chunked framing', { timeout: 60_000 }, async () => {
    const t = await startTestWeb({ streamIdleMs: 200 });
    try {
      const url = new URL(t.web.url);
      const socket = connect(Number(url.port), url.hostname);
      let received = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (received += chunk));
      const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
      socket.write(`GET /api/events HTTP/1.0\r\nHost: ${url.host}\r\n\r\n`);
      await closed;
      const [head = '', body = ''] = received.split('\r\n\r\n', 2);
      assert.match(head, /^HTTP\/1\.1 200/);
      assert.match(head, /content-type: text\/event-stream/i);
      assert.doesNotMatch(head, /transfer-encoding/i);
      assert.match(body, /^event: ready\n/, 'the events themselves, with no chunk sizes in between');
    } finally {
      await t.close();
    }
  });

  const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  const noChromium = existsSync(chromiumPath)
    ? undefined
    : `SKIPPED: no Chromium at ${chromiumPath} (apt-get install -y chromium, or set CHROMIUM_PATH)`;
  if (noChromium) console.warn(`\n*** ${noChromium} ***\n`);
  it('lets the page reconnect by itself after an idle stream ended', { skip: noChromium ?? false }, async () => {
    const t = await startTestWeb({ streamIdleMs: 500 });
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    try {
      const page = await browser.newPage();
      page.setDefaultTimeout(60_000);
      let streams = 0;
      page.on('response', (response) => {
        if (response.url().endsWith('/api/events') && response.status() === 200) streams += 1;
      });
      await page.goto(t.web.url);
      await page.waitForSelector('body[data-ready="true"]');
      // The first stream ends after half a second without progress; EventSource opens another.
      for (let attempt = 0; attempt < 3000 && streams < 2; attempt += 1)
        await new Promise((resolve) => setTimeout(resolve, 20));
      assert.ok(streams >= 2, `the page opened ${streams} stream(s)`);
      await page.waitForFunction(() => document.getElementById('connection')?.textContent === '');
      assert.doesNotMatch((await page.textContent('#connection')) ?? '', /off/);
    } finally {
      await browser.close();
      await t.close();
    }
  });
});

describe('web chat with Redis down', redisTestOptions(), () => {
  let redis: TestRedis;
  let t: TestWeb;
  before(async () => {
    redis = await startTestRedis({ appendOnly: true });
    t = await startTestWeb({}, { REDIS_URL: redis.url });
  });
  after(async () => {
    await t?.close();
    await redis?.dispose();
  });

  it('answers every endpoint with the same 503, /healthz tells the truth, and all comes back', async () => {
    const me = new Session(t.web.url);
    const sad = (await me.upload(await smallPhoto(), 'make this sadder', { type: 'image/jpeg' })).body.replies[0]!;
    assert.equal(sad.kind, 'edit');
    assert.deepEqual(await (await me.request('/healthz')).json(), { status: 'ok' });

    await redis.kill();
    const turn = await me.say({ text: 'more' });
    assert.equal(turn.status, 503);
    const sentence = turn.body.replies[0]!.text;
    assert.match(sentence, /temporarily unavailable.*Nothing you sent is lost/);
    for (const path of ['/api/conversation', sad.image!.url]) {
      const response = await me.request(path);
      assert.equal(response.status, 503, path);
      const body = (await response.json()) as TurnBody;
      assert.equal(body.error?.code, 'temporarily_unavailable', path);
      assert.equal(body.error?.message, sentence, path);
      assert.equal(body.replies[0]!.text, sentence, path);
    }
    const health = await me.request('/healthz');
    assert.equal(health.status, 503);
    assert.deepEqual(await health.json(), { status: 'unavailable', failing: ['redis'] });

    await redis.restart();
    let healthy = 0;
    for (let attempt = 0; attempt < 500 && healthy !== 200; attempt += 1) {
      healthy = (await me.request('/healthz')).status;
      if (healthy !== 200) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(healthy, 200);
    const tree = (await (await me.request('/api/conversation')).json()) as { edits: Array<{ id: string }> };
    assert.ok(
      tree.edits.some((edit) => edit.id === sad.editId),
      'nothing was lost',
    );
  });
});

describe('web chat: uploads that stop half-way', () => {
  it('logs an aborted upload at debug level, not as an error', async () => {
    const lines: Array<{ level: number; msg: string; err?: unknown }> = [];
    const logger = pino(
      { level: 'debug' },
      new Writable({ write: (chunk, _encoding, done) => (lines.push(JSON.parse(String(chunk))), done()) }),
    );
    const t = await startTestWeb({}, {}, { logger });
    try {
      const url = new URL(t.web.url);
      const socket = connect(Number(url.port), url.hostname);
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      const part = `--xx\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n`;
      socket.write(
        `POST /api/turns HTTP/1.1\r\nHost: ${url.host}\r\nOrigin: ${url.origin}\r\n` +
          `Content-Type: multipart/form-data; boundary=xx\r\nContent-Length: 200000\r\n\r\n${part}${'a'.repeat(5000)}`,
      );
      // Once the server reads the body, cut the connection.
      await new Promise((resolve) => setTimeout(resolve, 100));
      socket.destroy();
      const went = (): boolean => lines.some((line) => /client went away/.test(line.msg));
      for (let attempt = 0; attempt < 500 && !went(); attempt += 1)
        await new Promise((resolve) => setTimeout(resolve, 10));
      assert.ok(went(), JSON.stringify(lines));
      assert.equal(lines.find((line) => /client went away/.test(line.msg))!.level, 20, 'debug');
      assert.deepEqual(
        lines.filter((line) => line.level >= 50),
        [],
        'no error lines',
      );
      // And the server goes on serving.
      assert.equal((await new Session(t.web.url).say({ text: 'hello' })).status, 200);
    } finally {
      await t.close();
    }
  });
});
