/**
 * `npm start` (adapters/main.ts) serving the web chat on Redis, as a real process, stopped with
 * SIGTERM (issue 13, start-up and shutdown):
 * - after Redis was killed: it exits on its own with code 0 (not by the SHUTDOWN_TIMEOUT_S
 *   watchdog, which exits 1), and says why in log lines, without a stack trace;
 * - with an edit in flight (the render queue and a real `moodshift worker` whose renders are
 *   slowed): the edit is finished and answered, then the process exits 0; a fresh process on
 *   the same Redis shows the edit and its picture, so nothing saved is lost.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { redisTestOptions, startTestRedis, type TestRedis } from '../../helpers/redis-server.ts';
import { started, startWorker, type WorkerProcess } from '../../queue/worker-process.ts';
import { assertNoStackTrace, spawnNpmStart } from './npm-start-process.ts';
import { fixture, Session, type TurnBody } from './web-test-engine.ts';

const SECRET = 'a-web-session-secret-for-this-test';

interface WebProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts `npm start` with the web chat on a free port and resolves once it says where it listens. */
async function startWebProcess(env: Record<string, string>): Promise<WebProcess> {
  const web = spawnNpmStart({ WEB_SESSION_SECRET: SECRET, ...env });
  const [, url] = await web.waitFor(/open (http:\/\/127\.0\.0\.1:\d+) in your browser/);
  return { child: web.child, url: url!, output: web.output, exited: web.exited.then(({ code }) => code) };
}

/** Reads the session's event stream until a progress event says the render has started. */
async function untilRendering(session: Session): Promise<void> {
  const response = await session.request('/api/events');
  assert.equal(response.status, 200);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the event stream ended before a render started:\n${text}`);
      text += decoder.decode(value, { stream: true });
      for (const event of text.split('\n\n')) {
        const data = /^event: progress\ndata: (.*)$/m.exec(event)?.[1];
        if (data && (JSON.parse(data) as { progress: { stage: string } }).progress.stage === 'rendering') return;
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

describe('web chat: npm start on Redis, stopped with SIGTERM', { ...redisTestOptions(), timeout: 120_000 }, () => {
  let redis: TestRedis;
  const processes: ChildProcess[] = [];
  before(async () => {
    redis = await startTestRedis({ appendOnly: true });
  });
  after(async () => {
    for (const child of processes) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await redis?.dispose();
  });

  it('exits 0 on its own after Redis was killed, with log lines and no stack trace', async () => {
    const web = await startWebProcess({ REDIS_URL: redis.url });
    processes.push(web.child);
    const visitor = new Session(web.url);
    const photo = await sharp(fixture('rocket.jpg')).resize({ width: 160 }).jpeg().toBuffer();
    const sad = await visitor.upload(photo, 'make this sadder', { type: 'image/jpeg' });
    assert.equal(sad.body.replies[0]!.kind, 'edit', JSON.stringify(sad.body));
    await redis.kill();
    try {
      // The outage is noticed: the conversation is answered with the clear 503, not a 500.
      const during = await visitor.request('/api/conversation');
      assert.equal(during.status, 503, await during.text());
      web.child.kill('SIGTERM');
      const code = await web.exited;
      assert.equal(code, 0, web.output());
      assert.match(web.output(), /stopping: finishing the work in flight/);
      assert.match(web.output(), /"msg":"stopped"/);
      assertNoStackTrace(web.output());
    } finally {
      await redis.restart();
    }
  });

  it('finishes and answers the edit in flight, keeps it, then exits 0', async () => {
    const worker: WorkerProcess = startWorker(redis.url, { MOODSHIFT_TEST_RENDER_DELAY_MS: '4000' });
    processes.push(worker.child);
    await worker.waitForLog(started, 60_000);
    const web = await startWebProcess({ REDIS_URL: redis.url, MOODSHIFT_RENDERER: 'queue' });
    processes.push(web.child);
    const visitor = new Session(web.url);
    await visitor.request('/');
    const rendering = untilRendering(visitor);
    const photo = await sharp(fixture('rocket.jpg')).resize({ width: 160 }).jpeg().toBuffer();
    let outputAtAnswer = '';
    const answered = visitor.upload(photo, 'make this sadder', { type: 'image/jpeg' }).then((answer) => {
      outputAtAnswer = web.output();
      return answer;
    });
    await rendering;
    web.child.kill('SIGTERM');
    const answer: { status: number; body: TurnBody } = await answered;
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const edit = answer.body.replies[0]!;
    assert.equal(edit.kind, 'edit', JSON.stringify(answer.body));
    assert.equal(edit.target, 'sadness');
    // The answer came after the stop began: the stop waited for it.
    assert.match(
      outputAtAnswer,
      /stopping: finishing the work in flight/,
      'the edit was still in flight when SIGTERM came',
    );
    assert.equal(await web.exited, 0, web.output());
    assertNoStackTrace(web.output());

    const again = await startWebProcess({ REDIS_URL: redis.url, MOODSHIFT_RENDERER: 'queue' });
    processes.push(again.child);
    try {
      const sameBrowser = new Session(again.url);
      sameBrowser.cookie = visitor.cookie;
      const tree = (await (await sameBrowser.request('/api/conversation')).json()) as {
        edits: Array<{ id: string; target?: string }>;
      };
      assert.ok(
        tree.edits.some((node) => node.id === edit.editId && node.target === 'sadness'),
        JSON.stringify(tree),
      );
      const picture = await sameBrowser.request(edit.image!.url);
      assert.equal(picture.status, 200);
      assert.ok((await picture.arrayBuffer()).byteLength > 0);
    } finally {
      again.child.kill('SIGTERM');
      assert.equal(await again.exited, 0, again.output());
      worker.child.kill('SIGTERM');
      assert.equal(await worker.exited, 0);
    }
  });
});
