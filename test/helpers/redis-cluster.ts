/**
 * @module Starts a private Redis Cluster for a test: three primaries (`redis-server
 * --cluster-enabled yes`) on free loopback ports, joined by `redis-cli --cluster create
 * --cluster-replicas 0`, each in its own data directory. The suites that run on one Redis run
 * once more on it, through the `redis+cluster://` URL it hands back.
 *
 * Like `redis-server.ts`: when `redis-server` or `redis-cli` is missing, `redisClusterTestOptions()`
 * skips with a loud reason outside CI and fails in CI.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRedisServer, freePort } from './redis-server.ts';

export interface TestRedisCluster {
  /** `redis+cluster://127.0.0.1:<p1>,127.0.0.1:<p2>,127.0.0.1:<p3>` */
  url: string;
  ports: number[];
  /** Stops every node and removes their data directories. */
  dispose(): Promise<void>;
}

function findRedisCli(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v redis-cli'], { encoding: 'utf8' });
  const path = found.stdout.trim();
  return found.status === 0 && path ? path : undefined;
}

export const REDIS_CLUSTER_SKIP_REASON =
  'SKIPPED: the Redis Cluster suites need redis-server and redis-cli on the PATH (apt-get install -y redis-server redis-tools)';

/** `{ skip: reason }` for `describe` when redis-server or redis-cli is missing outside CI; throws in CI. */
export function redisClusterTestOptions(): { skip?: string } {
  if (findRedisServer() && findRedisCli()) return {};
  if (process.env.CI === 'true')
    throw new Error('redis-server and redis-cli are required in CI but were not found on the PATH');
  console.warn(`\n*** ${REDIS_CLUSTER_SKIP_REASON} ***\n`);
  return { skip: REDIS_CLUSTER_SKIP_REASON };
}

function run(binary: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the test Redis Cluster: ${what} within ${timeoutMs} ms`);
}

/** Starts three primaries on loopback, joins them into one cluster and waits until every node says `cluster_state:ok`. */
export async function startTestRedisCluster(options: { extraArgs?: string[] } = {}): Promise<TestRedisCluster> {
  const server = findRedisServer();
  const cli = findRedisCli();
  if (!server || !cli) throw new Error(REDIS_CLUSTER_SKIP_REASON);
  const nodes: Array<{ port: number; dir: string; child: ChildProcess }> = [];
  const dispose = async () => {
    await Promise.all(
      nodes.map(
        ({ child }) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
      ),
    );
    for (const { dir } of nodes) rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      // The cluster bus port is set apart: port + 10000 may be past 65535 for an ephemeral port.
      const busPort = await freePort();
      const dir = mkdtempSync(join(tmpdir(), 'moodshift-redis-cluster-'));
      const child = spawn(
        server,
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-port',
          String(busPort),
          '--cluster-config-file',
          join(dir, 'nodes.conf'),
          '--cluster-node-timeout',
          '2000',
          '--dir',
          dir,
          '--save',
          '',
          '--appendonly',
          'no',
          '--daemonize',
          'no',
          '--logfile',
          '',
          '--loglevel',
          'warning',
          ...(options.extraArgs ?? []),
        ],
        { stdio: 'ignore' },
      );
      nodes.push({ port, dir, child });
    }
    const { Redis } = await import('ioredis');
    const ping = async (port: number) => {
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
        return client;
      } catch (error) {
        client.disconnect();
        throw error;
      }
    };
    for (const { port } of nodes) {
      await waitFor(async () => {
        const client = await ping(port);
        try {
          return (await client.ping()) === 'PONG';
        } finally {
          client.disconnect();
        }
      }, `node ${port} did not answer`);
    }
    const created = await run(cli, [
      '--cluster',
      'create',
      ...nodes.map(({ port }) => `127.0.0.1:${port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    if (created.code !== 0) throw new Error(`redis-cli --cluster create failed: ${created.output}`);
    for (const { port } of nodes) {
      await waitFor(async () => {
        const client = await ping(port);
        try {
          return /cluster_state:ok/.test(await client.cluster('INFO'));
        } finally {
          client.disconnect();
        }
      }, `node ${port} did not reach cluster_state:ok`);
    }
  } catch (error) {
    await dispose();
    throw error;
  }
  const ports = nodes.map(({ port }) => port);
  return { url: `redis+cluster://${ports.map((port) => `127.0.0.1:${port}`).join(',')}`, ports, dispose };
}
