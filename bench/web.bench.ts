/**
 * @module Web chat benchmark: a turn with a 1-megapixel JPEG and "make this sadder", sent as a
 * multipart `POST /api/turns` over real HTTP, against the same turn handed to the Editor in
 * process, both on one engine (embedded defaults: rules, knowledge, tone, memory store) in the
 * same run. A small load generator (node:http, keep-alive, one pre-encoded request, like
 * autocannon) keeps `CONCURRENCY` turns in flight; the two paths run in
 * alternating blocks so that other load on the machine falls on both alike. Goal: HTTP adds
 * at most 20% at p50.
 *
 * Run: `node --import tsx bench/web.bench.ts` (`WEB_BENCH_TURNS`, `WEB_BENCH_CONCURRENCY` to change the load).
 */
import { randomBytes } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { startWeb } from '../adapters/web/index.ts';
import { loadConfig } from '../src/config.ts';
import { createEngine } from '../src/engine.ts';
import type { Turn } from '../src/turn.ts';

const TURNS = Number(process.env.WEB_BENCH_TURNS ?? 60);
const CONCURRENCY = Number(process.env.WEB_BENCH_CONCURRENCY ?? 2);
const BLOCK = 10;
const WARMUP = 4;
const GOAL_P50_RATIO = 1.2;

const photo = await sharp(new URL('../test/fixtures/images/astronaut.png', import.meta.url).pathname)
  .resize(1000, 1000)
  .jpeg({ quality: 90 })
  .toBuffer();

// Each turn is a new visitor, so per-person rate limits never interfere (nor the limit on new
// conversations per address, raised here: every visitor of the benchmark comes from 127.0.0.1).
const engine = await createEngine(loadConfig({ LOG_LEVEL: 'silent' }));
const web = await startWeb(engine, { port: 0, host: '127.0.0.1', newSessionsPerMinute: 1_000_000 });

// The load generator replays one pre-encoded request over keep-alive connections with
// node:http, as autocannon does: the figures then hold the server's cost and the transport,
// not the cost of encoding a form in a client (undici's fetch alone costs ~3 ms CPU a request).
const form = new FormData();
form.set('text', 'make this sadder');
form.set('image', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'photo.jpg');
const encoded = new Request('http://localhost/', { method: 'POST', body: form });
const contentType = encoded.headers.get('content-type')!;
const body = Buffer.from(await encoded.arrayBuffer());
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
const turnsUrl = new URL('/api/turns', web.url);

function overHttp(): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      turnsUrl,
      // A browser sends the page's Origin with every POST; the chat refuses posts without one.
      {
        method: 'POST',
        agent,
        headers: { 'content-type': contentType, 'content-length': body.length, origin: new URL(web.url).origin },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const reply = (JSON.parse(text) as { replies: Array<{ kind: string }> }).replies[0];
          if (response.statusCode !== 200 || reply?.kind !== 'edit')
            reject(new Error(`HTTP turn failed: ${response.statusCode} ${text}`));
          else resolve();
        });
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

async function inProcess(): Promise<void> {
  const id = randomBytes(16).toString('base64url');
  const turn: Turn = {
    key: { platform: 'web', chat: id, user: id },
    scope: { server: 'local' },
    messageId: 'm' + id,
    text: 'make this sadder',
    images: [{ declaredBytes: photo.length, declaredType: 'image/jpeg', fetch: async () => photo }],
    actor: { id, name: 'bench', isModerator: false },
  };
  const replies = await engine.editor.handle(turn);
  if (replies[0]?.kind !== 'edit') throw new Error(`in-process turn failed: ${JSON.stringify(replies[0]?.text)}`);
}

/** Runs `count` turns with `CONCURRENCY` in flight and returns each turn's latency in ms. */
async function load(turn: () => Promise<void>, count: number): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next += 1;
      const started = performance.now();
      await turn();
      latencies.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, count) }, worker));
  return latencies;
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function summarise(samples: number[], seconds: number, cpuMsTotal: number, turnsAlone: number) {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    turns: samples.length,
    p50Ms: round(percentile(sorted, 0.5)),
    p99Ms: round(percentile(sorted, 0.99)),
    meanMs: round(samples.reduce((a, b) => a + b, 0) / samples.length),
    turnsPerSecond: round(turnsAlone / seconds),
    cpuMsPerTurn: round(cpuMsTotal / turnsAlone),
  };
}

await load(inProcess, WARMUP);
await load(overHttp, WARMUP);

// Latency: both paths in one mixed load, worker w running path (i + w) mod 2 on its i-th
// turn, so the two paths always share the machine alike, whatever else runs on it.
const samples = { inProcess: [] as number[], http: [] as number[] };
await Promise.all(
  Array.from({ length: CONCURRENCY }, async (_, worker) => {
    for (let i = 0; i < Math.ceil((2 * TURNS) / CONCURRENCY); i += 1) {
      const path = (i + worker) % 2 === 0 ? 'inProcess' : 'http';
      const started = performance.now();
      await (path === 'http' ? overHttp() : inProcess());
      samples[path].push(performance.now() - started);
    }
  }),
);

// Throughput and CPU time of this process (all threads, sharp's included) per turn, which is
// steadier than wall time on a shared machine: each path alone, in alternating blocks.
const seconds = { inProcess: 0, http: 0 };
const cpuMs = { inProcess: 0, http: 0 };
const counted = { inProcess: 0, http: 0 };
for (let done = 0; done < TURNS; done += BLOCK) {
  const size = Math.min(BLOCK, TURNS - done);
  for (const [path, turn] of [
    ['inProcess', inProcess],
    ['http', overHttp],
  ] as const) {
    const started = performance.now();
    const cpu = process.cpuUsage();
    counted[path] += (await load(turn, size)).length;
    const used = process.cpuUsage(cpu);
    cpuMs[path] += (used.user + used.system) / 1000;
    seconds[path] += (performance.now() - started) / 1000;
  }
}

agent.destroy();
await web.stop();
await engine.close();

const editor = summarise(samples.inProcess, seconds.inProcess, cpuMs.inProcess, counted.inProcess);
const http = summarise(samples.http, seconds.http, cpuMs.http, counted.http);
const cpuRatio = Math.round((http.cpuMsPerTurn / editor.cpuMsPerTurn) * 1000) / 1000;
const p50Ratio = Math.round((http.p50Ms / editor.p50Ms) * 1000) / 1000;
const p99Ratio = Math.round((http.p99Ms / editor.p99Ms) * 1000) / 1000;

const rows = [
  ['path', 'turns', 'p50 ms', 'p99 ms', 'mean ms', 'turns/s', 'CPU ms/turn'],
  [
    'Editor in process',
    editor.turns,
    editor.p50Ms,
    editor.p99Ms,
    editor.meanMs,
    editor.turnsPerSecond,
    editor.cpuMsPerTurn,
  ],
  ['HTTP POST /api/turns', http.turns, http.p50Ms, http.p99Ms, http.meanMs, http.turnsPerSecond, http.cpuMsPerTurn],
  ['ratio HTTP / Editor', '', p50Ratio, p99Ratio, '', '', cpuRatio],
].map((row) => row.map(String));
const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
console.log(
  `web chat: 1-megapixel JPEG turn (${photo.length} bytes), ${CONCURRENCY} in flight, ${availableParallelism()} CPUs, load average ${loadavg()[0]!.toFixed(1)}`,
);
for (const row of rows) console.log(row.map((cell, column) => cell.padEnd(widths[column]!)).join('  '));
console.log(
  `goal: HTTP p50 at most ${GOAL_P50_RATIO}× the Editor's: ${p50Ratio <= GOAL_P50_RATIO ? 'met' : 'NOT met'}`,
);
console.log(
  JSON.stringify({
    bench: 'web',
    cpus: availableParallelism(),
    concurrency: CONCURRENCY,
    imageBytes: photo.length,
    editor,
    http,
    p50Ratio,
    p99Ratio,
    cpuRatio,
    loadAverage: Math.round(loadavg()[0]! * 10) / 10,
    goalP50Ratio: GOAL_P50_RATIO,
    goalMet: p50Ratio <= GOAL_P50_RATIO,
  }),
);
