/**
 * The command text `/moodmod` options become, which the Editor's strict parser and the
 * moderation engine read (`/words add "a phrase"`, `/ban <id>`, … `channel`).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { moderatorCommandText, phrasesOf, type CommandOptions } from '../../../adapters/discord/to-turn.ts';
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

describe('Discord: /moodmod options as command text', () => {
  it('writes each tool the way the engine reads it', () => {
    const cases: Array<[Parameters<typeof moderatorCommandText>[0], Record<string, string | number | boolean | { id: string }>, string]> = [
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
      const text = moderatorCommandText(subcommand, options(values));
      assert.equal(text, expected);
      assert.equal(parseCommand(text)?.type, 'moderator', `${text} parses as a moderator command`);
    }
  });

  it('leaves a missing emotion out, so the engine answers with the usage instead of guessing', () => {
    assert.equal(moderatorCommandText('block', options({})), '/block');
  });

  it('quotes each phrase with a mark the phrase does not hold', () => {
    assert.deepEqual(phrasesOf(' blood ,, self  harm\nbad'), ['"blood"', '"self harm"', '"bad"']);
    assert.deepEqual(phrasesOf('say "cheese"'), ['“say "cheese"”']);
    assert.deepEqual(phrasesOf('“a” "b"'), [`'“a” "b"'`]);
    assert.deepEqual(phrasesOf(''), []);
  });
});
