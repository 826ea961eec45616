/**
 * `npm start` (adapters/main.ts) for Telegram as a real process when the Bot API accepts
 * connections and never answers (issue 13: start-up that hangs; SIGTERM whatever the API does).
 * telegram-start-failures.test.ts has the API root nobody listens on and the API gone at SIGTERM;
 * here a TCP proxy in front of the fake Bot API is switched to swallow everything.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FakeBotApi } from '../../fakes/telegram/fake-bot-api.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** A TCP proxy to `target` (or to nowhere) that can be switched to accept and swallow every byte, answering nothing. */
async function startSwallowingProxy(target?: {
  host: string;
  port: number;
}): Promise<{ url: string; polls: () => number; swallow(): void; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  /** getUpdates requests sent on to the fake. */
  let polls = 0;
  let swallowing = target === undefined;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  };
  const server: Server = createServer((client) => {
    track(client);
    if (swallowing || !target) return;
    const upstream = connect(target.port, target.host);
    track(upstream);
    client.on('data', (chunk: Buffer) => {
      if (swallowing) return;
      polls += chunk.toString('latin1').match(/\/getUpdates/g)?.length ?? 0;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!swallowing) client.write(chunk);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => {
      if (!swallowing) client.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    polls: () => polls,
    swallow: () => (swallowing = true),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function startBot(env: Record<string, string>): {
  exited: Promise<[number | null, string | null]>;
  output: () => string;
  kill: () => void;
} {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'adapters/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // A hang fails the test instead of leaving a bot running.
  const guard = setTimeout(() => {
    output += '\n[test: npm start still running after 120 s; killed]\n';
    child.kill('SIGKILL');
  }, 120_000);
  const exited = once(child, 'exit').then((result) => {
    clearTimeout(guard);
    return result as [number | null, string | null];
  });
  return { exited, output: () => output, kill: () => child.kill('SIGTERM') };
}

describe('Telegram: npm start when the Bot API never answers', { timeout: 300_000 }, () => {
  it('exits 1 at PLATFORM_START_TIMEOUT_S saying it could not reach the API, without a stack trace', async () => {
    const proxy = await startSwallowingProxy();
    try {
      const bot = startBot({
        TELEGRAM_BOT_TOKEN: '123456:TEST-token-for-the-fake-server',
        TELEGRAM_API_ROOT: proxy.url,
        PLATFORM_START_TIMEOUT_S: '3',
        LOG_LEVEL: 'warn',
      });
      const [code, signal] = await bot.exited;
      assert.equal(signal, null, bot.output());
      assert.equal(code, 1, bot.output());
      assert.match(
        bot.output(),
        new RegExp(`Could not reach the Telegram Bot API at ${proxy.url.replace(/\./g, '\\.')} within 3 s`),
        bot.output(),
      );
      assert.doesNotMatch(bot.output(), /TEST-token-for-the-fake-server/, 'the token must not be printed');
      assert.doesNotMatch(bot.output(), /\n\s+at |"stack"/, bot.output());
    } finally {
      await proxy.close();
    }
  });

  it('exits 0 by itself on SIGTERM while its long poll and every new request hang', async () => {
    const fake = await FakeBotApi.start();
    const { port } = new URL(fake.apiRoot);
    const proxy = await startSwallowingProxy({ host: '127.0.0.1', port: Number(port) });
    try {
      const bot = startBot({ TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: proxy.url, SHUTDOWN_TIMEOUT_S: '30' });
      // Started, and a long poll on its way: the fake holds it open (for 30 s) and the proxy swallows its answer.
      for (let waited = 0; !bot.output().includes('"msg":"moodshift started"') || proxy.polls() === 0; waited += 50) {
        if (waited > 90_000) assert.fail(`the bot did not start polling:\n${bot.output()}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      proxy.swallow();
      bot.kill();
      const [code, signal] = await bot.exited;
      assert.equal(signal, null, bot.output());
      // 0: it let go of the hung poll by itself (the SHUTDOWN_TIMEOUT_S watchdog would exit 1).
      assert.equal(code, 0, bot.output());
      assert.match(bot.output(), /stopping: finishing the work in flight/, bot.output());
      assert.doesNotMatch(bot.output(), /\n\s+at /, bot.output());
    } finally {
      await proxy.close();
      await fake.close();
    }
  });
});
