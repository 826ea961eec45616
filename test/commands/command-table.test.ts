/**
 * The one command table (`src/commands.ts`) drives every list of commands: each platform's help,
 * its registration (Telegram's setMyCommands, Discord's slash commands), the strict parser and the
 * normaliser's slash words. A command in one of these lists but not the others fails here.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { slashCommandDefinitions } from '../../adapters/discord/slash-commands.ts';
import { COMMAND_NAME_PATTERN } from '../../adapters/telegram/telegram-limits.ts';
import {
  COMMAND_DESCRIPTIONS,
  COMMAND_TABLE,
  DISCORD_MODERATOR_COMMAND,
  DISCORD_PERSON_COMMAND,
  EDIT_COMMAND,
  MODERATOR_COMMANDS,
  PERSON_COMMANDS,
  commandFrom,
  commandNamed,
  parseCommand,
  platformCommands,
  type CommandName,
} from '../../src/commands.ts';
import { helpText } from '../../src/messages.ts';
import { RulesNormaliser } from '../../src/normaliser/rules-normaliser.ts';

/** The command names a list of typed commands (`/undo`, `/ban <user id>`) shows. */
const namesOf = (list: readonly string[]): string[] => list.map((line) => /^\/([a-z_]+)/.exec(line)![1]!);
/** The subcommand names of a registered Discord command. */
const subcommandsOf = (name: string): string[] =>
  (slashCommandDefinitions().find((c) => c.name === name)?.options ?? []).map((o) => o.name);
/** The names a help text lists on its command lines. */
const helpNames = (text: string, label: string): string[] => {
  const line = text.split('\n').find((l) => l.startsWith(label)) ?? '';
  return [...line.matchAll(/\/([a-z_]+)(?: ([a-z_]+))?/g)].map((m) =>
    m[1] === DISCORD_PERSON_COMMAND || m[1] === DISCORD_MODERATOR_COMMAND ? m[2]! : m[1]!,
  );
};
const sorted = (names: readonly string[]) => [...names].sort();

describe('the command table', () => {
  it('has an entry for every command and for nothing else', () => {
    assert.deepEqual(
      sorted(Object.keys(COMMAND_TABLE)),
      sorted([...PERSON_COMMANDS, ...MODERATOR_COMMANDS, EDIT_COMMAND]),
    );
    for (const name of MODERATOR_COMMANDS) assert.equal(COMMAND_TABLE[name].audience, 'moderator', name);
    for (const name of PERSON_COMMANDS) assert.equal(COMMAND_TABLE[name].audience, 'person', name);
    for (const [name, entry] of Object.entries(COMMAND_TABLE))
      assert.ok(entry.listed.length > 0, `${name} is offered somewhere`);
  });

  it('gives each alias to one command only, and never a command name', () => {
    const seen = new Map<string, string>();
    for (const [name, entry] of Object.entries(COMMAND_TABLE)) {
      for (const alias of entry.aliases) {
        assert.ok(!(alias in COMMAND_TABLE), `${alias} is a command of its own`);
        assert.equal(seen.get(alias), undefined, `${alias} is an alias of ${seen.get(alias)} and ${name}`);
        seen.set(alias, name);
        assert.equal(commandNamed(alias), name);
      }
    }
    assert.equal(commandNamed('frobnicate'), undefined);
  });

  it('lists on Telegram what Telegram registers, what its help shows, and what parses', () => {
    const registeredForEveryone = COMMAND_DESCRIPTIONS.filter((c) => !c.moderator).map((c) => c.command);
    const registeredForAdmins = COMMAND_DESCRIPTIONS.filter((c) => c.moderator).map((c) => c.command);
    for (const c of COMMAND_DESCRIPTIONS)
      assert.match(c.command, COMMAND_NAME_PATTERN, 'Telegram takes the name (none is dropped)');
    const list = platformCommands('telegram');
    assert.deepEqual(
      namesOf(list.person),
      registeredForEveryone,
      'help and menu: the same person commands, in the same order',
    );
    assert.deepEqual(namesOf(list.moderator), registeredForAdmins, 'help and menu: the same moderator commands');
    assert.deepEqual(sorted(registeredForEveryone), sorted(PERSON_COMMANDS));
    assert.deepEqual(sorted(registeredForAdmins), sorted(MODERATOR_COMMANDS));
    const help = helpText('en', { platform: 'telegram', moderator: true });
    assert.deepEqual(helpNames(help, 'Commands:'), registeredForEveryone);
    assert.deepEqual(helpNames(help, 'Moderators:'), registeredForAdmins);
    for (const name of [...registeredForEveryone, ...registeredForAdmins]) {
      const parsed = parseCommand(`/${name}`);
      assert.ok(parsed && parsed.type !== 'edit' && parsed.name === name, `/${name} parses as itself`);
    }
    assert.match(
      COMMAND_DESCRIPTIONS.find((c) => c.command === 'ban')!.description,
      /reply to a message/,
      "Telegram's own wording for /ban",
    );
  });

  it('lists on Discord what Discord registers, what its help shows, and what its options become', () => {
    const list = platformCommands('discord');
    const person = subcommandsOf(DISCORD_PERSON_COMMAND);
    const moderator = subcommandsOf(DISCORD_MODERATOR_COMMAND);
    assert.deepEqual(person, ['edit', 'undo', 'redo', 'reset', 'help', 'emotions']);
    assert.deepEqual(
      list.person,
      person.map((name) => `/${DISCORD_PERSON_COMMAND} ${name}`),
    );
    assert.deepEqual(
      list.moderator,
      moderator.map((name) => `/${DISCORD_MODERATOR_COMMAND} ${name}`),
    );
    assert.deepEqual(moderator, [...MODERATOR_COMMANDS]);
    const help = helpText('en', { platform: 'discord', moderator: true });
    assert.deepEqual(helpNames(help, 'Commands:'), person);
    assert.deepEqual(helpNames(help, 'Moderators:'), moderator);
    // Each registered subcommand is a command of the table, which the adapter hands on typed.
    for (const name of [...person, ...moderator]) {
      assert.ok(commandNamed(name) === name, `/${name} is in the table`);
      const typed = commandFrom(name, name === EDIT_COMMAND ? 'sadder' : '');
      assert.ok(
        typed && (typed.type === 'edit' ? name === EDIT_COMMAND : typed.name === name),
        `${name} becomes a typed command`,
      );
    }
    const definitions = slashCommandDefinitions();
    for (const command of definitions) {
      for (const sub of command.options ?? []) {
        assert.equal(
          sub.description,
          COMMAND_TABLE[sub.name as CommandName].descriptions?.discord ??
            COMMAND_TABLE[sub.name as CommandName].description,
          `${sub.name}'s description comes from the table`,
        );
      }
    }
  });

  it('lists in the web chat (and the terminal) what its help shows, and every one parses', () => {
    for (const platform of ['web', 'cli']) {
      const list = platformCommands(platform);
      assert.deepEqual(
        sorted(namesOf(list.person)),
        sorted(PERSON_COMMANDS.filter((name) => name !== 'start')),
        platform,
      );
      assert.deepEqual(namesOf(list.moderator), [...MODERATOR_COMMANDS], platform);
      const help = helpText('en', { platform, moderator: true });
      assert.deepEqual(helpNames(help, 'Commands:'), namesOf(list.person));
      for (const name of namesOf([...list.person, ...list.moderator]))
        assert.equal((parseCommand(`/${name}`) as { name?: string } | undefined)?.name, name);
    }
  });

  it('reads a person command and its aliases the same in the strict parser and the normaliser', async () => {
    const normaliser = new RulesNormaliser();
    for (const name of PERSON_COMMANDS) {
      const intent = await normaliser.normalise(`/${name}`);
      for (const alias of COMMAND_TABLE[name].aliases) {
        assert.deepEqual(parseCommand(`/${alias}`), { type: 'person', name, args: [] }, `/${alias}`);
        assert.deepEqual(await normaliser.normalise(`/${alias}`), intent, `/${alias} reads as /${name}`);
      }
      assert.notEqual(intent.kind, 'unknown', `the normaliser knows /${name}`);
    }
    for (const word of [EDIT_COMMAND, ...COMMAND_TABLE.edit.aliases]) {
      assert.deepEqual(parseCommand(`/${word} much scarier`), { type: 'edit', feeling: 'much scarier' });
      assert.deepEqual(await normaliser.normalise(`/${word} much scarier`), await normaliser.normalise('much scarier'));
      assert.deepEqual(
        parseCommand(`/${word}`),
        { type: 'person', name: 'help', args: [] },
        `/${word} alone asks for help`,
      );
      assert.deepEqual(await normaliser.normalise(`/${word}`), { kind: 'help' });
    }
  });

  it('makes a moderator command only in the strict parser: the normaliser reads none of them', async () => {
    const normaliser = new RulesNormaliser();
    for (const name of MODERATOR_COMMANDS) {
      assert.equal(parseCommand(`/${name} fear`)?.type, 'moderator');
      assert.deepEqual(await normaliser.normalise(`/${name} fear`), { kind: 'unknown' }, `/${name} is no request`);
    }
  });
});
