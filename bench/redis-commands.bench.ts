/**
 * Redis commands per turn: how many commands the bot sends to Redis for a photo-plus-text turn
 * ("make it sadder" with a photo) and for a button press ("more"), counted with
 * MONITOR on a private redis-server (round trips apart from the commands scripts run inside). The engine is the
 * one `npm start` builds with `REDIS_URL` (Redis store, Redis moderation, tone renderer); the
 * adapter's part (linking the reply's message to its edit) is counted with the turn.
 *
 * Issue 14's goal for item 1: one read and at most two writes of the conversation per turn.
 * Before (2026-12-03): photo turn 21 commands sent, 5 conversation reads, 4 writes; button press
 * 13 sent, 3 reads, 2 writes. After the derived link index, the remembered last value and one
 * write for a photo's root and its edit (2026-12-04): photo turn 1 read, 2 writes; button 1 read,
 * 2 writes (the reply's link is the second write of each).
 * Baseline in the same run: the commands of one bare store `load` + `update` (one read, one
 * compare-and-set), so the table reads as multiples of the minimum.
 *
 * Run: `node --import tsx bench/redis-commands.bench.ts`. Needs `redis-server` on the PATH.
 */
import type { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import sharp from 'sharp';
import { loadConfig } from '../src/config.ts';
import { createEngine } from '../src/engine.ts';
import { silentLogger } from '../src/logger.ts';
import type { Turn } from '../src/turn.ts';
import { findRedisServer, startTestRedis } from '../test/helpers/redis-server.ts';

const ROUNDS = 5;

if (!findRedisServer()) {
  console.warn('redis-server not found: nothing to measure (apt-get install -y redis-server)');
  process.exit(0);
}

interface Counted {
  /** Commands the bot's clients sent (round trips, pipelined or not), by name. */
  sent: Map<string, number>;
  /** Commands run inside Lua scripts, in all. */
  inScripts: number;
  /** Reads of a conversation value (GET of a `conv:` key). */
  conversationReads: number;
  /** Writes of a conversation value (a script or SET on a `conv:` key). */
  conversationWrites: number;
}

/**
 * The commands sent while `run` runs, seen with MONITOR (which also shows the commands scripts
 * run, marked `lua`), averaged over `rounds` runs.
 */
async function measure(monitor: EventEmitter, rounds: number, run: (round: number) => Promise<void>): Promise<Counted> {
  const counted: Counted = { sent: new Map(), inScripts: 0, conversationReads: 0, conversationWrites: 0 };
  let recording = false;
  const listener = (_time: string, args: string[], source: string) => {
    if (!recording) return;
    const name = (args[0] ?? '').toLowerCase();
    if (source === 'lua') {
      counted.inScripts += 1;
      return;
    }
    counted.sent.set(name, (counted.sent.get(name) ?? 0) + 1);
    const isConversation = (key: string | undefined) => key !== undefined && key.includes(':conv:');
    if ((name === 'get' || name === 'getbuffer') && isConversation(args[1])) counted.conversationReads += 1;
    if ((name === 'evalsha' || name === 'eval') && isConversation(args[3])) counted.conversationWrites += 1;
    if (name === 'set' && isConversation(args[1])) counted.conversationWrites += 1;
  };
  monitor.on('monitor', listener);
  for (let round = 0; round < rounds; round++) {
    recording = true;
    await run(round);
    // MONITOR lines arrive a moment after the replies.
    await new Promise((resolve) => setTimeout(resolve, 50));
    recording = false;
  }
  monitor.off('monitor', listener);
  return {
    sent: new Map([...counted.sent].map(([name, count]) => [name, count / rounds])),
    inScripts: counted.inScripts / rounds,
    conversationReads: counted.conversationReads / rounds,
    conversationWrites: counted.conversationWrites / rounds,
  };
}

const server = await startTestRedis();
const probe = new Redis(server.url);
const monitor = await probe.monitor();
try {
  const engine = await createEngine(loadConfig({ REDIS_URL: server.url }), { logger: silentLogger });
  // The start-up look at the server's settings is not part of any turn.
  await engine.redis?.checkServer();
  const photo = await sharp(new URL('../test/fixtures/images/chelsea.png', import.meta.url).pathname)
    .resize(256)
    .jpeg({ quality: 85 })
    .toBuffer();
  let message = 0;
  const turn = (user: string, text: string, extra: Partial<Turn> = {}): Turn => ({
    key: { platform: 'bench', chat: 'chat', user },
    scope: { server: 'server', channel: 'chat' },
    messageId: String(++message),
    text,
    images: [],
    actor: { id: user, name: user, isModerator: false },
    ...extra,
  });
  /** One turn as an adapter runs it: each reply sent, and its message linked to its edit by the Editor. */
  const take = async (input: Turn): Promise<string | undefined> => {
    const replies = await engine.editor.handle(input, {
      send: async (reply) => (reply.editId === undefined ? undefined : `sent-${++message}`),
    });
    return replies.findLast((reply) => reply.editId !== undefined)?.editId;
  };

  // Warm up: scripts loaded, policies cached as they are between turns of a running bot.
  await take(
    turn('warm-up', 'make it sadder', { images: [{ declaredBytes: photo.length, fetch: async () => photo }] }),
  );
  // Its last MONITOR lines arrive a moment later: not in the first round's count.
  await new Promise((resolve) => setTimeout(resolve, 300));

  const edits: string[] = [];
  const photoTurn = await measure(monitor, ROUNDS, async (round) => {
    const editId = await take(
      turn(`person-${round}`, 'make it sadder', {
        images: [{ declaredBytes: photo.length, fetch: async () => photo }],
      }),
    );
    if (editId === undefined) throw new Error('the photo-plus-text turn made no edit');
    edits.push(editId);
  });
  const buttonPress = await measure(monitor, ROUNDS, async (round) => {
    await take(turn(`person-${round}`, '', { action: { kind: 'more', editId: edits[round]! } }));
  });
  const key = { platform: 'bench', chat: 'chat', user: 'person-0' };
  const floor = await measure(monitor, ROUNDS, async () => {
    await engine.store.load(key);
    await engine.store.update(key, () => undefined);
  });
  await engine.close();

  const sum = (calls: Map<string, number>) => [...calls.values()].reduce((a, b) => a + b, 0);
  const show = (calls: Map<string, number>) =>
    [...calls]
      .sort((a, b) => b[1] - a[1])
      .map(([name, count]) => `${name} ${Number.isInteger(count) ? count : count.toFixed(1)}`)
      .join(', ');
  const rows = [
    { scenario: 'photo + "make it sadder"', counted: photoTurn },
    { scenario: 'button press "more"', counted: buttonPress },
    { scenario: 'baseline: store load + update', counted: floor },
  ];
  console.log(`Redis commands per turn (mean of ${ROUNDS} turns, MONITOR; 2-core CPU box)`);
  console.log(
    'scenario                        | sent | x baseline | conv reads | conv writes | in scripts | sent, by command',
  );
  for (const { scenario, counted } of rows) {
    console.log(
      [
        scenario.padEnd(31),
        sum(counted.sent).toFixed(1).padStart(4),
        (sum(counted.sent) / sum(floor.sent)).toFixed(1).padStart(10),
        counted.conversationReads.toFixed(1).padStart(10),
        counted.conversationWrites.toFixed(1).padStart(11),
        counted.inScripts.toFixed(1).padStart(10),
        show(counted.sent),
      ].join(' | '),
    );
  }
  const json = (counted: Counted) => ({
    sent: sum(counted.sent),
    conversationReads: counted.conversationReads,
    conversationWrites: counted.conversationWrites,
    inScripts: counted.inScripts,
    byCommand: Object.fromEntries(counted.sent),
  });
  console.log(
    JSON.stringify({
      benchmark: 'redis-commands',
      rounds: ROUNDS,
      photoTurn: json(photoTurn),
      buttonPress: json(buttonPress),
      baseline: json(floor),
    }),
  );
} finally {
  monitor.disconnect();
  probe.disconnect();
  await server.dispose();
}
