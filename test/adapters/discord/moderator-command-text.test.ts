/**
 * The typed command `/moodmod` options become: the same command the strict parser makes of the
 * text a moderator would type (`/words add "a phrase"`, `/ban <id>`, … `channel`), built from the
 * options without writing that text out and parsing it again.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { moderatorCommand, phrasesOf, type CommandOptions } from '../../../adapters/discord/to-turn.ts';
import { parseCommand } from '../../../src/commands.ts';

/** Options as discord.js would hand them over, from plain values. */
function options(values: Record<string, string | number | boolean | { id: string }>): CommandOptions {
  const get = <T>(name: string, type: string): T | null => (typeof values[name] === type ? (values[name] as T) : null);
  return {
    getString: (name) => get<string>(name, 'string'),
    getInteger: (name) => get<number>(name, 'number'),
    getBoolean: (name) => get<boolean>(name, 'boolean'),
    getUser: (name) => get<{ id: string }>(name, 'object'),
  };
}

describe('Discord: /moodmod options as a typed command', () => {
  it('writes each tool the way the engine reads it', () => {
    const cases: Array<
      [Parameters<typeof moderatorCommand>[0], Record<string, string | number | boolean | { id: string }>, string]
    > = [
      ['policy', {}, '/policy'],
      ['block', { emotion: 'fear' }, '/block fear'],
      ['block', { element: 'facial', channel_only: true }, '/block facial channel'],
      ['unblock', { emotion: 'fear', element: 'color' }, '/unblock fear color'],
      ['maxintensity', { level: 'low' }, '/maxintensity low'],
      ['words', { action: 'add', text: 'gore, a dark omen' }, '/words add "gore" "a dark omen"'],
      ['words', { action: 'list', text: 'ignored' }, '/words list'],
      ['ratelimit', { per_person: 0 }, '/ratelimit 0'],
      ['ratelimit', { per_person: 3, per_chat: 20, channel_only: true }, '/ratelimit 3 20 channel'],
      ['ban', { user: { id: '123456789012345678' } }, '/ban 123456789012345678'],
      ['unban', { user: { id: '42' } }, '/unban 42'],
      ['audit', { count: 10 }, '/audit 10'],
      ['audit', { channel_only: true }, '/audit'],
    ];
    for (const [subcommand, values, expected] of cases) {
      const command = moderatorCommand(subcommand, options(values));
      assert.equal(parseCommand(expected)?.type, 'moderator', `${expected} parses as a moderator command`);
      assert.deepEqual(command, parseCommand(expected), `${subcommand} ${JSON.stringify(values)} is ${expected}`);
    }
  });

  it('leaves a missing emotion out, so the engine answers with the usage instead of guessing', () => {
    assert.deepEqual(moderatorCommand('block', options({})), {
      type: 'moderator',
      name: 'block',
      args: [],
      channelOnly: false,
    });
    assert.deepEqual(moderatorCommand('block', options({})), parseCommand('/block'));
  });

  it('keeps each phrase whole, its own quote marks and all (nothing is quoted to be split again)', () => {
    assert.deepEqual(phrasesOf(' blood ,, self  harm\nbad'), ['blood', 'self harm', 'bad']);
    assert.deepEqual(phrasesOf('say "cheese"'), ['say "cheese"']);
    assert.deepEqual(phrasesOf('“a” "b"'), ['“a” "b"'], 'a phrase holding every kind of quote mark loses none of them');
    assert.deepEqual(phrasesOf(''), []);
    const words = moderatorCommand('words', options({ action: 'add', text: 'say "cheese", channel' }));
    assert.deepEqual(
      words,
      { type: 'moderator', name: 'words', args: ['add', 'say "cheese"', 'channel'], channelOnly: false },
      'the word "channel" is a phrase, not the channel flag',
    );
  });
});
