/**
 * `npm start` (adapters/main.ts) serving Discord as a real process, stopped with SIGTERM while
 * Discord misbehaves (issue 13, shutdown): the fake Discord gone altogether, a gateway that stops
 * answering heartbeats with a REST API that never answers, and a turn in flight whose REST call
 * never returns (in one process, and with DISCORD_SHARDS, where the shard process must not live on).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FakeDiscord } from '../../fakes/discord/fake-discord.ts';
import { environmentFor, uploadPhoto } from './harness.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

interface BotProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startBot(fake: FakeDiscord, env: Record<string, string>): BotProcess {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'adapters/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...environmentFor(fake), LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Resolves once the bot is connected and has said it started (its SIGTERM handler is in place from then on). */
async function started(fake: FakeDiscord, bot: BotProcess): Promise<void> {
  await fake.waitForSession(undefined, 60_000).catch((error: Error) => {
    throw new Error(`${error.message}\nits output:\n${bot.output()}`);
  });
  for (let waited = 0; !bot.output().includes('"msg":"moodshift started"'); waited += 50) {
    if (waited > 30_000 || bot.child.exitCode !== null)
      throw new Error(`the bot did not say it started:\n${bot.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Sends `/mood edit` and resolves once the bot's first REST call for it (the deferral) has reached the fake. */
async function editInFlight(fake: FakeDiscord): Promise<void> {
  const { guild, channel } = fake.addGuild();
  const alice = fake.addUser('alice');
  fake.addMember(guild, alice);
  const photo = await uploadPhoto(fake);
  fake.hangRest = true;
  const interaction = fake.slashCommand({
    user: alice,
    channel,
    command: 'mood',
    subcommand: 'edit',
    options: { image: { attachment: photo }, feeling: 'make this sadder' },
  });
  await fake.waitFor(
    () => fake.requests.some((r) => r.path.includes(`/interactions/${interaction.id}/`)),
    30_000,
    'the deferral of the interaction',
  );
}

describe('Discord: SIGTERM while Discord misbehaves', { timeout: 400_000 }, () => {
  it('exits 0 by itself when the gateway and REST API are gone', async () => {
    const fake = await new FakeDiscord().start();
    // Long enough that an exit 0 means the bot finished by itself, not by the watchdog (exit 1).
    const bot = startBot(fake, { SHUTDOWN_TIMEOUT_S: '30' });
    try {
      await started(fake, bot);
      await fake.close();
      bot.child.kill('SIGTERM');
      assert.equal(await bot.exited, 0, bot.output());
      assert.match(bot.output(), /"msg":"stopped"/);
      assert.doesNotMatch(bot.output(), /\n\s+at /, bot.output());
    } finally {
      if (bot.child.exitCode === null) bot.child.kill('SIGKILL');
      await fake.close();
    }
  });

  it('exits 0 by itself when the gateway stops answering and REST never answers', async () => {
    const fake = await new FakeDiscord().start();
    const bot = startBot(fake, { SHUTDOWN_TIMEOUT_S: '30' });
    try {
      await started(fake, bot);
      fake.gateway.ackHeartbeats = false;
      fake.hangRest = true;
      bot.child.kill('SIGTERM');
      assert.equal(await bot.exited, 0, bot.output());
      assert.doesNotMatch(bot.output(), /\n\s+at /, bot.output());
    } finally {
      if (bot.child.exitCode === null) bot.child.kill('SIGKILL');
      await fake.close();
    }
  });

  it('exits 0 by itself when SIGTERM comes while it reconnects to a gateway that never says hello', async () => {
    const fake = await new FakeDiscord().start();
    const bot = startBot(fake, { SHUTDOWN_TIMEOUT_S: '30' });
    try {
      await started(fake, bot);
      fake.gateway.silent = true;
      const connections = fake.gateway.stats.connections;
      fake.gateway.dropConnections();
      for (let waited = 0; fake.gateway.stats.connections === connections; waited += 50) {
        if (waited > 30_000) throw new Error(`the bot did not reconnect:\n${bot.output()}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      bot.child.kill('SIGTERM');
      assert.equal(await bot.exited, 0, bot.output());
      assert.doesNotMatch(bot.output(), /\n\s+at /, bot.output());
    } finally {
      if (bot.child.exitCode === null) bot.child.kill('SIGKILL');
      await fake.close();
    }
  });

  it('ends at SHUTDOWN_TIMEOUT_S, saying so, when a turn in flight waits on a REST call that never returns', async () => {
    const fake = await new FakeDiscord().start();
    const bot = startBot(fake, { SHUTDOWN_TIMEOUT_S: '2' });
    try {
      await started(fake, bot);
      await editInFlight(fake);
      bot.child.kill('SIGTERM');
      assert.equal(await bot.exited, 1, bot.output());
      assert.match(bot.output(), /stopping took longer than SHUTDOWN_TIMEOUT_S/);
      assert.doesNotMatch(bot.output(), /\n\s+at /, bot.output());
    } finally {
      if (bot.child.exitCode === null) bot.child.kill('SIGKILL');
      await fake.close();
    }
  });

  it('with DISCORD_SHARDS, leaves no shard process behind when a turn in flight hangs', async () => {
    const fake = await new FakeDiscord().start();
    const bot = startBot(fake, { SHUTDOWN_TIMEOUT_S: '2', DISCORD_SHARDS: '1' });
    try {
      await started(fake, bot);
      await editInFlight(fake);
      bot.child.kill('SIGTERM');
      assert.equal(await bot.exited, 1, bot.output());
      // The shard process is gone too: its gateway connection closes (no orphan bot serving on).
      await fake
        .waitFor(
          () => !fake.gateway.sessions.some((s) => fake.gateway.isConnected(s)),
          20_000,
          'the shard to disconnect',
        )
        .catch((error: Error) => {
          throw new Error(`${error.message}: the shard process lives on after npm start exited\n${bot.output()}`);
        });
    } finally {
      if (bot.child.exitCode === null) bot.child.kill('SIGKILL');
      await fake.close();
    }
  });
});
