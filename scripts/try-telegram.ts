/**
 * @module `npm run try:telegram`: the real bot (`adapters/main.ts`, as `npm start` runs it) against
 * the fake Telegram Bot API server of the tests, with a short scripted conversation — so a
 * newcomer sees the Telegram adapter work without a token or a network. The transcript is
 * printed and every picture the bot sends is saved under `moodshift-output/try-telegram/`.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { FakeBotApi, type FakeMessage } from '../test/fakes/telegram/fake-bot-api.ts';
import { conversationScript, type ScriptStep } from './try-script.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const outDir = join(root, 'moodshift-output', 'try-telegram');
/** How long one step may take before the script gives up and says so. */
const STEP_TIMEOUT_MS = 60_000;

const isProgress = (m: FakeMessage) => m.text !== undefined && /^(Planning|Rendering|Queued)/.test(m.text);

async function main(): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const fake = await FakeBotApi.start();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TELEGRAM_BOT_TOKEN: fake.token,
    TELEGRAM_API_ROOT: fake.apiRoot,
    LOG_LEVEL: 'warn',
  };
  console.log(`Fake Telegram Bot API on ${fake.apiRoot}; starting the bot (npm start) against it…`);
  const bot = spawn(process.execPath, ['--import', 'tsx', 'adapters/main.ts'], { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] });
  let exitCode = 0;
  // The bot ending early (a crash, a refused setting) ends the script with its exit code, not a long wait.
  const died = once(bot, 'exit').then(([code]) => {
    throw new Error(`the bot exited with code ${String(code)} before it was ready (its output is above)`);
  });
  died.catch(() => {});
  try {
    await Promise.race([died, fake.waitFor(() => fake.callsOf('getUpdates').length > 0, 'the bot to start polling', STEP_TIMEOUT_MS)]);
    const chat = fake.privateChat();
    const photo = await sharp(readFileSync(join(root, 'test/fixtures/images/astronaut.png'))).resize({ width: 512 }).jpeg({ quality: 88 }).toBuffer();
    let lastPicture: FakeMessage | undefined;
    let pictureNumber = 0;
    for (const step of conversationScript) {
      const after = fake.lastMessageId(chat);
      console.log(`\nAlice: ${describeStep(step)}`);
      if (step.kind === 'photo') await fake.userSendsPhoto(photo, { caption: step.text });
      else if (step.kind === 'text') fake.userSendsText(step.text);
      else {
        const data = lastPicture && buttonData(lastPicture, step.label);
        if (!lastPicture || !data) throw new Error(`the bot's last picture has no "${step.label}" button`);
        fake.userPressesButton(lastPicture, data);
      }
      const answer = await fake.waitForBotMessage(chat, after, (m) => !isProgress(m), 'the bot to answer', STEP_TIMEOUT_MS);
      const fileId = answer.photo?.at(-1)?.file_id ?? answer.document?.file_id;
      if (fileId) {
        lastPicture = answer;
        const file = join(outDir, `picture-${++pictureNumber}.jpg`);
        writeFileSync(file, fake.fileBytes(fileId));
        console.log(`moodshift: [picture saved as ${file}]`);
      }
      console.log(`moodshift: ${answer.caption ?? answer.text ?? ''}`);
      const buttons = buttonLabels(answer);
      if (buttons.length > 0) console.log(`           buttons: ${buttons.join(' · ')}`);
    }
    console.log(`\nDone: the Telegram adapter answered every step. Pictures are in ${outDir}.`);
  } catch (error) {
    exitCode = 1;
    console.error(`\ntry:telegram stopped: ${(error as Error).message}`);
  } finally {
    if (bot.exitCode === null) {
      const exited = once(bot, 'exit');
      bot.kill('SIGTERM');
      await exited;
    }
    await fake.close();
  }
  process.exitCode = exitCode;
}

function describeStep(step: ScriptStep): string {
  if (step.kind === 'photo') return `[sends a photo] ${step.text}`;
  if (step.kind === 'button') return `[presses "${step.label}"]`;
  return step.text;
}

function buttonLabels(message: FakeMessage): string[] {
  return (message.reply_markup?.inline_keyboard ?? []).flat().map((b) => b.text);
}

function buttonData(message: FakeMessage, label: string): string | undefined {
  return (message.reply_markup?.inline_keyboard ?? []).flat().find((b) => b.text === label)?.callback_data;
}

await main();
