/**
 * @module The short conversation that `npm run try:telegram` and `npm run try:discord` play
 * against the fake platform servers (a photo with a request, a button, a follow-up and an undo),
 * and the runner both share: it starts the real bot (`adapters/main.ts`, as `npm start` runs it),
 * prints the transcript, saves every picture under `moodshift-output/try-<platform>/`, and stops
 * the bot with SIGTERM.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUTTON_LABELS } from '../src/buttons.ts';

/** One thing the scripted person does. */
export type ScriptStep =
  { kind: 'photo'; text: string } | { kind: 'text'; text: string } | { kind: 'button'; label: string };

export const conversationScript: readonly ScriptStep[] = [
  { kind: 'photo', text: 'make this sadder' },
  { kind: 'button', label: BUTTON_LABELS.more },
  { kind: 'text', text: 'now make it calm' },
  { kind: 'button', label: BUTTON_LABELS.undo },
];

/** The repository root, where the bot runs and the photo is read from. */
export const repositoryRoot = fileURLToPath(new URL('../', import.meta.url));

/** How long one step (or the bot's start) may take before the script gives up and says so. */
export const STEP_TIMEOUT_MS = 60_000;

/** The bot's answer to one step, as the platform showed it. */
export interface ScriptAnswer {
  text: string;
  buttons: string[];
  picture?: { bytes: Buffer; fileName: string };
}

/** What one platform brings to the runner: its fake, and how a person acts there. */
export interface TryPlatform {
  /** `Telegram` or `Discord`, as the transcript names it. */
  name: string;
  /** The person's name in the transcript. */
  person: string;
  /** The bot's environment beside PATH and HOME. */
  env: Record<string, string>;
  /** A line saying where the fake listens. */
  banner: string;
  /** Resolves once the bot is connected to the fake. */
  ready(): Promise<unknown>;
  /** How the transcript shows a step on this platform. */
  describe(step: ScriptStep): string;
  /** Does the step and resolves with the bot's answer. */
  act(step: ScriptStep): Promise<ScriptAnswer>;
  close(): Promise<void>;
}

/** Plays `conversationScript` on `platform`; sets the exit code (0 when every step was answered). */
export async function playConversation(platform: TryPlatform): Promise<void> {
  const slug = platform.name.toLowerCase();
  const outDir = join(repositoryRoot, 'moodshift-output', `try-${slug}`);
  mkdirSync(outDir, { recursive: true });
  console.log(`${platform.banner}; starting the bot (npm start) against it…`);
  const bot = spawn(process.execPath, ['--import', 'tsx', 'adapters/main.ts'], {
    cwd: repositoryRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', ...platform.env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  // The bot ending early (a crash, a refused setting) ends the script with its exit code, not a long wait.
  const died = once(bot, 'exit').then(([code]) => {
    throw new Error(`the bot exited with code ${String(code)} before it was ready (its output is above)`);
  });
  died.catch(() => {});
  let exitCode = 0;
  try {
    await Promise.race([died, platform.ready()]);
    let pictureNumber = 0;
    for (const step of conversationScript) {
      console.log(`\n${platform.person}: ${platform.describe(step)}`);
      const answer = await platform.act(step);
      if (answer.picture) {
        const file = join(outDir, `picture-${++pictureNumber}-${answer.picture.fileName}`);
        writeFileSync(file, answer.picture.bytes);
        console.log(`moodshift: [picture saved as ${file}]`);
      }
      console.log(`moodshift: ${answer.text}`);
      if (answer.buttons.length > 0) console.log(`           buttons: ${answer.buttons.join(' · ')}`);
    }
    console.log(`\nDone: the ${platform.name} adapter answered every step. Pictures are in ${outDir}.`);
  } catch (error) {
    exitCode = 1;
    console.error(`\ntry:${slug} stopped: ${(error as Error).message}`);
  } finally {
    if (bot.exitCode === null) {
      const exited = once(bot, 'exit');
      bot.kill('SIGTERM');
      await exited;
    }
    await platform.close();
  }
  process.exitCode = exitCode;
}
