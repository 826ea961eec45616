/**
 * @module Starts a private `redis-server` for a test: a free port on 127.0.0.1, its own data
 * directory, optional append-only persistence, and the means to kill and restart it.
 *
 * When no `redis-server` binary is on the PATH, `findRedisServer()` returns undefined and the
 * tests that need Redis skip with a loud reason (`REDIS_SKIP_REASON`). In CI (`CI=true`) a
 * missing binary is an error instead, so nothing is silently skipped there.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestRedisOptions {
  /** Turn on the append-only file (`appendfsync always`) so a restart loses nothing. @defaultValue false */
  appendOnly?: boolean;
  /** Extra `--name value` arguments for redis-server. */
  extraArgs?: string[];
}

export interface TestRedis {
  url: string;
  port: number;
  dir: string;
  /** Stops the server gracefully (SHUTDOWN semantics through SIGTERM). */
  stop(): Promise<void>;
  /** Kills the server at once (SIGKILL), as a crash would. */
  kill(): Promise<void>;
  /** Starts the server again on the same port and data directory. */
  restart(): Promise<void>;
  /** Stops it and removes its data directory. */
  dispose(): Promise<void>;
}

export function findRedisServer(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const path = found.stdout.trim();
  return found.status === 0 && path ? path : undefined;
}

export const REDIS_SKIP_REASON =
  'SKIPPED: no redis-server binary on this machine (apt-get install -y redis-server); .ci/run installs it';

/** `{ skip: reason }` for `describe`/`it` options when Redis is missing outside CI; throws in CI. */
export function redisTestOptions(): { skip?: string } {
  if (findRedisServer()) return {};
  if (process.env.CI === 'true') throw new Error('redis-server is required in CI but was not found on the PATH');
  console.warn(`\n*** ${REDIS_SKIP_REASON} ***\n`);
  return { skip: REDIS_SKIP_REASON };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPing(port: number, child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  const { Redis } = await import('ioredis');
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    const client = new Redis({
      port,
      host: '127.0.0.1',
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    client.on('error', () => {});
    try {
      await client.connect();
      const reply = await client.ping();
      // While loading the AOF Redis answers LOADING; ping succeeds only when ready.
      if (reply === 'PONG') return;
    } catch (error) {
      lastError = error;
    } finally {
      client.disconnect();
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server on port ${port} did not answer within ${timeoutMs} ms: ${String(lastError)}`);
}

export async function startTestRedis(options: TestRedisOptions = {}): Promise<TestRedis> {
  const binary = findRedisServer();
  if (!binary) throw new Error(REDIS_SKIP_REASON);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'moodshift-redis-'));
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    options.appendOnly ? 'yes' : 'no',
    '--appendfsync',
    'always',
    '--daemonize',
    'no',
    '--logfile',
    '',
    '--loglevel',
    'warning',
    ...(options.extraArgs ?? []),
  ];
  let child: ChildProcess | undefined;

  const launch = async () => {
    const started = spawn(binary, args, { stdio: 'ignore' });
    child = started;
    await waitForPing(port, started);
  };
  const waitExit = (signal: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      const running = child;
      child = undefined;
      if (!running || running.exitCode !== null || running.signalCode !== null) return resolve();
      running.once('exit', () => resolve());
      running.kill(signal);
    });

  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    stop: () => waitExit('SIGTERM'),
    kill: () => waitExit('SIGKILL'),
    restart: async () => {
      await waitExit('SIGTERM');
      await launch();
    },
    dispose: async () => {
      await waitExit('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
