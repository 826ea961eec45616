/**
 * @module `npm start` (adapters/main.ts) run to its end as a real process against a fake Discord,
 * for the start-up failure tests: its exit, its output, and the processes it may leave behind.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FakeDiscord } from '../../fakes/discord/fake-discord.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Runs `npm start` with `env` until it exits. `startTimeoutS` is its PLATFORM_START_TIMEOUT_S: short
 * where the test waits for it, long where Discord answers (so a slow machine cannot turn a refusal
 * into "could not reach"). `whileRunning` gets the process as soon as it is started. A process still running after `killAfterMs` is killed, so that a hang
 * fails the test instead of leaving a bot behind.
 */
export async function runBot(
  env: Record<string, string>,
  {
    startTimeoutS = 3,
    killAfterMs = 120_000,
    whileRunning,
  }: {
    startTimeoutS?: number;
    killAfterMs?: number;
    whileRunning?: (child: ChildProcess, output: () => string) => void;
  } = {},
): Promise<{ code: number | null; signal: string | null; output: string }> {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'adapters/main.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...env,
      LOG_LEVEL: 'warn',
      PLATFORM_START_TIMEOUT_S: String(startTimeoutS),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const kill = setTimeout(() => {
    output += `\n[test: npm start still running after ${killAfterMs} ms; killed]\n`;
    child.kill('SIGKILL');
  }, killAfterMs);
  const exited = once(child, 'exit');
  whileRunning?.(child, () => output);
  const [code, signal] = (await exited) as [number | null, string | null];
  clearTimeout(kill);
  return { code, signal, output };
}

/** Exit code 1, the sentence, and nothing that looks like a stack trace or an unhandled rejection. */
export function assertFailedWith(
  run: { code: number | null; signal: string | null; output: string },
  sentence: RegExp,
): void {
  assert.equal(run.signal, null, run.output);
  assert.equal(run.code, 1, run.output);
  assert.match(run.output, sentence, run.output);
  assert.doesNotMatch(run.output, /\n\s+at |Unhandled|triggerUncaughtException/, run.output);
  assert.doesNotMatch(run.output, /"stack"/, `a log line carries a stack trace:\n${run.output}`);
}

/** Processes (of this user) started for this fake Discord: their environment names its API root. */
export function processesFor(fake: FakeDiscord): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(`DISCORD_API_ROOT=${fake.apiRoot}`))
        found.push(Number(entry));
    } catch {
      // gone, or not ours
    }
  }
  return found;
}

/** Resolves once no process for this fake is left (a shard that lives on after npm start exited fails the test). */
export async function noProcessLeft(fake: FakeDiscord): Promise<void> {
  for (let waited = 0; processesFor(fake).length > 0; waited += 100) {
    if (waited > 15_000) {
      const left = processesFor(fake);
      for (const pid of left) process.kill(pid, 'SIGKILL');
      assert.fail(`processes ${left.join(', ')} lived on after npm start exited`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
