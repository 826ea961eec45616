/**
 * End-to-end through the real entry point: `npm start` (adapters/main.ts) with only
 * TELEGRAM_BOT_TOKEN and TELEGRAM_API_ROOT set serves Telegram, and SIGTERM stops it cleanly.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FakeBotApi } from '../../fakes/telegram/fake-bot-api.ts';
import { botAnswers, isPicture, smallPhoto } from './telegram-harness.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('Telegram: npm start with the two variables', () => {
  let fake: FakeBotApi;
  let child: ChildProcess;
  let output = '';

  before(async () => {
    fake = await FakeBotApi.start();
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TELEGRAM_BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: fake.apiRoot,
      LOG_LEVEL: 'warn',
    };
    child = spawn(process.execPath, ['--import', 'tsx', 'adapters/main.ts'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await fake
      .waitFor(() => fake.callsOf('deleteWebhook').length > 0, 'the bot to start', 60_000)
      .catch((error: Error) => {
        throw new Error(`${error.message}\nits output:\n${output}`);
      });
  });
  after(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await fake.close();
  });

  it('edits a photo, then stops on SIGTERM with exit code 0', async () => {
    const chat = fake.privateChat();
    // The first picture of a fresh process waits for the picture-safety model, which loads in the background from start-up.
    const edited = await botAnswers(
      fake,
      chat,
      async () => fake.userSendsPhoto(await smallPhoto(), { caption: 'make this sadder' }),
      isPicture,
      'the edit',
      90_000,
    );
    assert.match(edited.caption ?? '', /sadness/);
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    assert.equal(code, 0, output);
    assert.deepEqual(fake.unconfirmedUpdates, []);
  });
});
