/**
 * End to end through the real entry point: `npm start` (adapters/main.ts) with the Discord
 * variables serves Discord and stops cleanly on SIGTERM; with DISCORD_SHARDS=2 it runs two
 * shard processes under discord.js ShardingManager, each serving its own guilds.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { shardOf } from '../../fakes/discord/fake-gateway.ts';
import { FakeDiscord, type FakeChannel, type FakeUser } from '../../fakes/discord/fake-discord.ts';
import { environmentFor, uploadPhoto } from './harness.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function startBot(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'adapters/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

async function editIn(fake: FakeDiscord, user: FakeUser, channel: FakeChannel): Promise<string> {
  const photo = await uploadPhoto(fake);
  const interaction = fake.slashCommand({
    user,
    channel,
    command: 'mood',
    subcommand: 'edit',
    options: { image: { attachment: photo }, feeling: 'make this sadder' },
  });
  return (await fake.waitForPicture(interaction, 30_000)).content;
}

describe('Discord: npm start', () => {
  let fake: FakeDiscord;
  let bot: ReturnType<typeof startBot>;

  before(async () => {
    fake = await new FakeDiscord().start();
    bot = startBot(environmentFor(fake));
    await fake.waitForSession(undefined, 60_000).catch((error: Error) => {
      throw new Error(`${error.message}\nits output:\n${bot.output()}`);
    });
  });
  after(async () => {
    if (bot.child.exitCode === null) bot.child.kill('SIGKILL');
    await fake.close();
  });

  it('edits a picture, then stops on SIGTERM with exit code 0', async () => {
    const { guild, channel } = fake.addGuild();
    const alice = fake.addUser('alice');
    fake.addMember(guild, alice);
    assert.match(await editIn(fake, alice, channel), /→ sadness/);
    const exited = once(bot.child, 'exit');
    bot.child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    assert.equal(code, 0, bot.output());
  });
});

describe('Discord: npm start with DISCORD_SHARDS=2', () => {
  let fake: FakeDiscord;
  let bot: ReturnType<typeof startBot>;
  const channels: FakeChannel[] = [];

  before(async () => {
    fake = await new FakeDiscord().start();
    // One guild on each shard: shard = (guild_id >> 22) % 2.
    while (channels.length < 2) {
      const { channel } = fake.addGuild();
      if (shardOf(channel.guild_id, 2) === channels.length) channels.push(channel);
      else fake.guilds.delete(channel.guild_id!);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    bot = startBot(environmentFor(fake, { DISCORD_SHARDS: '2' }));
    await fake
      .waitFor(
        () => fake.gateway.sessions.filter((s) => fake.gateway.isConnected(s)).length === 2,
        90_000,
        'two shard sessions',
      )
      .catch((error: Error) => {
        throw new Error(`${error.message}\nits output:\n${bot.output()}`);
      });
  });
  after(async () => {
    if (bot.child.exitCode === null) bot.child.kill('SIGKILL');
    await fake.close();
  });

  it('identifies one session per shard and answers in the guilds of both', async () => {
    assert.deepEqual(fake.gateway.sessions.map((s) => s.shard).sort(), [
      [0, 2],
      [1, 2],
    ]);
    const alice = fake.addUser('alice');
    for (const channel of channels) fake.addMember(fake.guilds.get(channel.guild_id!)!, alice);
    const answers = await Promise.all(channels.map((channel) => editIn(fake, alice, channel)));
    for (const answer of answers) assert.match(answer, /→ sadness/);
    const exited = once(bot.child, 'exit');
    bot.child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    assert.equal(code, 0, bot.output());
  });
});
