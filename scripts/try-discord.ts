/**
 * @module `npm run try:discord`: the real bot (`adapters/main.ts`, as `npm start` runs it) against
 * the fake Discord REST and gateway servers of the tests, with a short scripted conversation (a
 * `/mood edit` slash command, a button, a follow-up and an undo) — so a newcomer sees the Discord
 * adapter work without a token or a network. The transcript is printed and every picture the
 * bot sends is saved under `moodshift-output/try-discord/`.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { BOT_TOKEN, FakeDiscord, type FakeMessage } from '../test/fakes/discord/fake-discord.ts';
import { conversationScript, type ScriptStep } from './try-script.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const outDir = join(root, 'moodshift-output', 'try-discord');
/** How long one step may take before the script gives up and says so. */
const STEP_TIMEOUT_MS = 60_000;

async function main(): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const fake = await new FakeDiscord().start();
  const { guild, channel } = fake.addGuild('Try server');
  const alice = fake.addUser('alice');
  fake.addMember(guild, alice);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DISCORD_TOKEN: BOT_TOKEN,
    DISCORD_APPLICATION_ID: fake.applicationId,
    DISCORD_API_ROOT: fake.apiRoot,
    DISCORD_ATTACHMENT_HOSTS: fake.attachmentHost,
    LOG_LEVEL: 'warn',
  };
  console.log(`Fake Discord on ${fake.apiRoot}; starting the bot (npm start) against it…`);
  const bot = spawn(process.execPath, ['--import', 'tsx', 'adapters/main.ts'], { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] });
  let exitCode = 0;
  // The bot ending early (a crash, a refused setting) ends the script with its exit code, not a long wait.
  const died = once(bot, 'exit').then(([code]) => {
    throw new Error(`the bot exited with code ${String(code)} before it was ready (its output is above)`);
  });
  died.catch(() => {});
  try {
    await Promise.race([died, fake.waitForSession(undefined, STEP_TIMEOUT_MS)]);
    const photoBytes = await sharp(readFileSync(join(root, 'test/fixtures/images/astronaut.png'))).resize({ width: 512 }).png().toBuffer();
    let lastPicture: FakeMessage | undefined;
    let pictureNumber = 0;
    for (const step of conversationScript) {
      console.log(`\nalice: ${describeStep(step)}`);
      let answer: FakeMessage;
      if (step.kind === 'photo') {
        const attachment = fake.uploadFile(photoBytes, 'astronaut.png', 'image/png');
        const interaction = fake.slashCommand({ user: alice, channel, command: 'mood', subcommand: 'edit', options: { image: { attachment }, feeling: step.text } });
        answer = await fake.waitForPicture(interaction, STEP_TIMEOUT_MS);
      } else if (step.kind === 'button') {
        if (!lastPicture) throw new Error('there is no picture to press a button on');
        const interaction = fake.pressButton({ user: alice, message: lastPicture, label: step.label });
        answer = await fake.waitForPicture(interaction, STEP_TIMEOUT_MS);
      } else {
        // A follow-up without a picture edits the person's last one; no privileged intent needed.
        const interaction = fake.slashCommand({ user: alice, channel, command: 'mood', subcommand: 'edit', options: { feeling: step.text } });
        answer = await fake.waitForPicture(interaction, STEP_TIMEOUT_MS);
      }
      const attachment = answer.attachments[0];
      if (attachment) {
        lastPicture = answer;
        const file = join(outDir, `picture-${++pictureNumber}-${attachment.filename}`);
        writeFileSync(file, attachment.bytes);
        console.log(`moodshift: [picture saved as ${file}]`);
      }
      console.log(`moodshift: ${answer.content}`);
      const buttons = answer.components.flatMap((row) => row.components).map((c) => (c.type === 2 ? c.label : 'menu'));
      if (buttons.length > 0) console.log(`           buttons: ${buttons.join(' · ')}`);
    }
    console.log(`\nDone: the Discord adapter answered every step. Pictures are in ${outDir}.`);
  } catch (error) {
    exitCode = 1;
    console.error(`\ntry:discord stopped: ${(error as Error).message}`);
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
  if (step.kind === 'photo') return `/mood edit image:astronaut.png feeling:${step.text}`;
  if (step.kind === 'button') return `[presses "${step.label}"]`;
  return `/mood edit feeling:${step.text}`;
}

await main();
