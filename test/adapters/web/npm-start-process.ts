/**
 * `npm start` (adapters/main.ts) as a real process for the web chat's start-up and shutdown tests:
 * spawned with the web chat on a free loopback port, its output collected, and helpers that wait
 * for a line and check that nothing printed a stack trace.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

export interface NpmStartProcess {
  child: ChildProcess;
  output: () => string;
  /** The exit code, or the signal that killed it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first match of `pattern` in the output; fails after `withinMs` or if the process exits first. */
  waitFor: (pattern: RegExp, withinMs?: number) => Promise<RegExpExecArray>;
}

/** Starts `npm start` with the web chat on `WEB_PORT=0` and `SHUTDOWN_TIMEOUT_S=30` (so an exit 0 means it stopped by itself). */
export function spawnNpmStart(env: Record<string, string> = {}): NpmStartProcess {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'adapters/main.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LOG_LEVEL: 'info',
      WEB_PORT: '0',
      WEB_HOST: '127.0.0.1',
      SHUTDOWN_TIMEOUT_S: '30',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const listeners = new Set<() => void>();
  const read = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout!.on('data', read);
  child.stderr!.on('data', read);
  const waitFor = (pattern: RegExp, withinMs = 60_000) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      const check = () => {
        const found = pattern.exec(output);
        if (found) {
          done();
          resolve(found);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`npm start did not print ${pattern} within ${withinMs / 1000} s:\n${output}`));
      }, withinMs);
      listeners.add(check);
      void exited.then(({ code, signal }) => {
        done();
        reject(new Error(`npm start exited (${code ?? signal}) before it printed ${pattern}:\n${output}`));
      });
      check();
    });
  return { child, output: () => output, exited, waitFor };
}

/** Every line of the output is a JSON log line, the start banner or blank; none is a stack frame. */
export function assertNoStackTrace(output: string): void {
  assert.doesNotMatch(output, /\n\s+at /, output);
  for (const line of output.split('\n')) {
    if (!line.trim() || line.startsWith('moodshift is running')) continue;
    const parsed = JSON.parse(line) as { err?: { stack?: string } };
    assert.equal(parsed.err?.stack, undefined, `a log line carries a stack trace: ${line}`);
  }
}
