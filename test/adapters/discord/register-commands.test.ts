/**
 * `npm run discord:commands` against the fake Discord: what a person sees in the command
 * picker, and which commands only moderators see.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { BOT_TOKEN, FakeDiscord } from '../../fakes/discord/fake-discord.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));

interface Command {
  name: string;
  default_member_permissions?: string | null;
  contexts?: number[];
  options?: Array<{
    name: string;
    type: number;
    options?: Array<{ name: string; type: number; choices?: Array<{ value: string }> }>;
  }>;
}

describe('npm run discord:commands', () => {
  let fake: FakeDiscord;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    fake = await new FakeDiscord().start();
    env = {
      ...process.env,
      DISCORD_TOKEN: BOT_TOKEN,
      DISCORD_APPLICATION_ID: fake.applicationId,
      DISCORD_API_ROOT: fake.apiRoot,
    };
  });
  after(() => fake.close());

  it('registers /mood for everyone and /moodmod for Manage Server in one guild', async () => {
    const { guild } = fake.addGuild();
    const { stdout } = await run('npm', ['run', '--silent', 'discord:commands'], {
      cwd: root,
      env: { ...env, DISCORD_GUILD_ID: guild.id },
    });
    assert.match(stdout, /Registered \/mood, \/moodmod in server/);
    const commands = fake.commands.get(guild.id) as unknown as Command[];
    assert.deepEqual(
      commands.map((c) => c.name),
      ['mood', 'moodmod'],
    );

    const [mood, moodmod] = commands as [Command, Command];
    assert.equal(mood.default_member_permissions ?? null, null, '/mood is for everyone');
    assert.deepEqual(
      mood.options!.map((o) => o.name),
      ['edit', 'undo', 'redo', 'reset', 'help', 'emotions'],
    );
    const edit = mood.options!.find((o) => o.name === 'edit')!;
    assert.deepEqual(
      edit.options!.map((o) => [o.name, o.type]),
      [
        ['image', 11],
        ['feeling', 3],
        ['intensity', 3],
        ['emotion', 3],
        ['element', 3],
      ],
    );
    assert.deepEqual(
      edit.options![2]!.choices!.map((c) => c.value),
      ['low', 'medium', 'high'],
    );
    // Picked rather than written: these reach the engine as they are (the typed edit command).
    assert.deepEqual(
      edit.options![3]!.choices!.map((c) => c.value),
      ['amusement', 'awe', 'contentment', 'excitement', 'anger', 'disgust', 'fear', 'sadness'],
    );
    assert.deepEqual(
      edit.options![4]!.choices!.map((c) => c.value),
      ['facial', 'action', 'object', 'scene', 'color'],
    );

    assert.equal(moodmod.default_member_permissions, '32', '/moodmod needs Manage Server by default');
    assert.deepEqual(moodmod.contexts, [0], '/moodmod exists only in servers');
    assert.deepEqual(
      moodmod.options!.map((o) => o.name),
      [
        'policy',
        'block',
        'unblock',
        'maxintensity',
        'words',
        'ratelimit',
        'ban',
        'unban',
        'audit',
        'pictures',
        'picturethreshold',
      ],
    );
    const optionsOf = (name: string) => moodmod.options!.find((o) => o.name === name)!.options ?? [];
    const shape = (name: string) => optionsOf(name).map((o) => [o.name, o.type]);
    assert.deepEqual(
      shape('block'),
      [
        ['emotion', 3],
        ['element', 3],
        ['channel_only', 5],
      ],
      'block takes an emotion or an element',
    );
    assert.deepEqual(
      optionsOf('block')[1]!.choices!.map((c) => c.value),
      ['facial', 'action', 'object', 'scene', 'color'],
    );
    assert.deepEqual(shape('maxintensity'), [
      ['level', 3],
      ['channel_only', 5],
    ]);
    assert.deepEqual(
      optionsOf('maxintensity')[0]!.choices!.map((c) => c.value),
      ['low', 'medium', 'high', 'max'],
    );
    assert.deepEqual(shape('words'), [
      ['action', 3],
      ['text', 3],
      ['channel_only', 5],
    ]);
    assert.deepEqual(
      optionsOf('words')[0]!.choices!.map((c) => c.value),
      ['add', 'remove', 'list'],
    );
    assert.deepEqual(
      shape('ratelimit'),
      [
        ['per_person', 4],
        ['per_chat', 4],
        ['channel_only', 5],
      ],
      'rate limits are integers',
    );
    assert.deepEqual(
      shape('ban'),
      [
        ['user', 6],
        ['channel_only', 5],
      ],
      'ban picks a user',
    );
    assert.deepEqual(shape('unban'), [
      ['user', 6],
      ['channel_only', 5],
    ]);
    assert.deepEqual(shape('audit'), [['count', 4]]);
    assert.deepEqual(shape('pictures'), [
      ['rule', 3],
      ['channel_only', 5],
    ]);
    assert.deepEqual(
      optionsOf('pictures')[0]!.choices!.map((c) => c.value),
      ['block', 'allow'],
    );
    assert.deepEqual(shape('picturethreshold'), [
      ['class', 3],
      ['score', 3],
      ['channel_only', 5],
    ]);
    assert.deepEqual(
      optionsOf('picturethreshold')[0]!.choices!.map((c) => c.value),
      ['Porn', 'Hentai', 'Sexy', 'Drawing'],
    );
  });

  it('registers globally without DISCORD_GUILD_ID', async () => {
    const { stdout } = await run('node', ['--import', 'tsx', 'adapters/discord/register-commands.ts'], {
      cwd: root,
      env,
    });
    assert.match(stdout, /globally/);
    assert.deepEqual(
      (fake.commands.get('global') as unknown as Command[]).map((c) => c.name),
      ['mood', 'moodmod'],
    );
  });

  it('says what to set when the token is missing', async () => {
    const withoutToken = { ...env, DISCORD_TOKEN: '', DISCORD_APPLICATION_ID: '' };
    await assert.rejects(
      run('node', ['--import', 'tsx', 'adapters/discord/register-commands.ts'], { cwd: root, env: withoutToken }),
      (error: { stderr: string }) => /Set DISCORD_TOKEN and DISCORD_APPLICATION_ID/.test(error.stderr),
    );
  });
});
