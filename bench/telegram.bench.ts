/**
 * @module Telegram adapter benchmark: a private-chat photo (512 px JPEG) with "make this sadder",
 * sent through the fake Bot API server to the real grammY bot (long polling, getFile and the
 * file endpoint, status message, multipart sendPhoto, the link of the sent photo to its edit), against the same turn handed
 * to the Editor in process, on one engine (embedded defaults) in the same run. The two paths run
 * in alternating blocks so that other load on the machine falls on both alike. Each Telegram
 * turn comes from a new person, so rate limits never interfere.
 *
 * The Telegram figure includes the fake server's own work (it runs in this process and reads
 * every uploaded picture's size with sharp), so it overstates what the adapter adds. Also
 * counted: Bot API calls per edit, which is what Telegram's rate limits see.
 *
 * Run: `node --import tsx bench/telegram.bench.ts` (`TELEGRAM_BENCH_TURNS` to change the count).
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { startTelegram } from '../adapters/telegram/index.ts';
import { loadConfig } from '../src/config.ts';
import { createEngine } from '../src/engine.ts';
import type { Turn } from '../src/turn.ts';
import { FakeBotApi, type FakeUser } from '../test/fakes/telegram/fake-bot-api.ts';

const TURNS = Number(process.env.TELEGRAM_BENCH_TURNS ?? 30);
const BLOCK = 5;
const WARMUP = 3;

const photo = await sharp(new URL('../test/fixtures/images/astronaut.png', import.meta.url).pathname)
  .resize(512, 512)
  .jpeg({ quality: 90 })
  .toBuffer();

const fake = await FakeBotApi.start();
const engine = await createEngine(
  loadConfig({ TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot, LOG_LEVEL: 'silent' }),
);
const adapter = await startTelegram(engine);

let nextUser = 50_000;
async function overTelegram(): Promise<number> {
  const user: FakeUser = { id: nextUser++, is_bot: false, first_name: 'Bench' };
  const chat = fake.privateChat(user);
  const callsBefore = fake.calls.length;
  const sent = await fake.userSendsPhoto(photo, { user, chat, caption: 'make this sadder' });
  await fake.waitFor(
    () => fake.botMessages(chat).find((m) => m.photo && m.reply_to_message?.message_id === sent.message_id),
    'the edited photo',
    60_000,
  );
  // The turn ends when the status message is gone too.
  await fake.waitFor(() => fake.botMessages(chat).every((m) => m.photo), 'the status message to be deleted', 60_000);
  return fake.calls.slice(callsBefore).filter((c) => c.method !== 'getUpdates').length;
}

async function inProcess(): Promise<void> {
  const id = randomBytes(16).toString('base64url');
  const turn: Turn = {
    key: { platform: 'bench', chat: id, user: id },
    messageId: 'm' + id,
    text: 'make this sadder',
    images: [{ declaredBytes: photo.length, declaredType: 'image/jpeg', fetch: async () => photo }],
    actor: { id, name: 'bench', isModerator: false },
  };
  const replies = await engine.editor.handle(turn);
  if (replies[0]?.kind !== 'edit') throw new Error(`in-process turn failed: ${JSON.stringify(replies[0]?.text)}`);
}

for (let i = 0; i < WARMUP; i++) {
  await inProcess();
  await overTelegram();
}

const samples = { inProcess: [] as number[], telegram: [] as number[] };
const cpuMs = { inProcess: 0, telegram: 0 };
const apiCalls: number[] = [];
for (let done = 0; done < TURNS; done += BLOCK) {
  const size = Math.min(BLOCK, TURNS - done);
  for (const path of ['inProcess', 'telegram'] as const) {
    const cpu = process.cpuUsage();
    for (let i = 0; i < size; i++) {
      const started = performance.now();
      if (path === 'telegram') apiCalls.push(await overTelegram());
      else await inProcess();
      samples[path].push(performance.now() - started);
    }
    const used = process.cpuUsage(cpu);
    cpuMs[path] += (used.user + used.system) / 1000;
  }
}

await adapter.stop();
await engine.close();
await fake.close();

const round = (x: number) => Math.round(x * 10) / 10;
function summarise(values: number[], cpuTotal: number) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return {
    turns: values.length,
    p50Ms: round(at(0.5)),
    p99Ms: round(at(0.99)),
    cpuMsPerTurn: round(cpuTotal / values.length),
  };
}
const editor = summarise(samples.inProcess, cpuMs.inProcess);
const telegram = summarise(samples.telegram, cpuMs.telegram);
const ratio = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;
const p50Ratio = ratio(telegram.p50Ms, editor.p50Ms);
const cpuRatio = ratio(telegram.cpuMsPerTurn, editor.cpuMsPerTurn);
const callsPerEdit = round(apiCalls.reduce((a, b) => a + b, 0) / apiCalls.length);

const rows = [
  ['path', 'turns', 'p50 ms', 'p99 ms', 'CPU ms/turn'],
  ['Editor in process', editor.turns, editor.p50Ms, editor.p99Ms, editor.cpuMsPerTurn],
  ['Telegram (fake Bot API)', telegram.turns, telegram.p50Ms, telegram.p99Ms, telegram.cpuMsPerTurn],
  ['ratio Telegram / Editor', '', p50Ratio, ratio(telegram.p99Ms, editor.p99Ms), cpuRatio],
].map((row) => row.map(String));
const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
console.log(
  `telegram: 512 px JPEG turn (${photo.length} bytes), one at a time, ${availableParallelism()} CPUs, load average ${loadavg()[0]!.toFixed(1)}`,
);
for (const row of rows) console.log(row.map((cell, column) => cell.padEnd(widths[column]!)).join('  '));
console.log(`Bot API calls per edit (besides getUpdates): ${callsPerEdit}`);
console.log(
  JSON.stringify({
    bench: 'telegram',
    cpus: availableParallelism(),
    imageBytes: photo.length,
    editor,
    telegram,
    p50Ratio,
    cpuRatio,
    botApiCallsPerEdit: callsPerEdit,
    loadAverage: round(loadavg()[0]!),
  }),
);
