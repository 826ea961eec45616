/**
 * Who `/ban` and `/unban` name on Telegram: the author of the replied-to message, a text
 * mention, or an id; never an @username passed on as if it were an id. The person is filled into
 * the typed command (what the strict parser makes of `/ban 3005`), never written back as text.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Message } from 'grammy/types';
import {
  ANONYMOUS_ADMIN_HINT,
  resolvePersonArgument,
  usernameHint,
} from '../../../adapters/telegram/moderator-commands.ts';
import { parseCommand } from '../../../src/commands.ts';

const bot = { id: 999, username: 'moodshift_test_bot' };
const group = { id: -100123, type: 'supergroup' as const, title: 'Club' };
const erin = { id: 3005, is_bot: false, first_name: 'Erin' };
const mona = { id: 3001, is_bot: false, first_name: 'Mona' };

function message(text: string, extra: Partial<Message> = {}): Message {
  return { message_id: 10, date: 1, chat: group, from: mona, text, ...extra } as Message;
}

describe('Telegram: the person of /ban and /unban', () => {
  it('names the author of the message /ban replies to', () => {
    const replied = { message_id: 9, date: 1, chat: group, from: erin, text: 'hi' } as Message;
    assert.deepEqual(
      resolvePersonArgument(
        parseCommand('/ban'),
        message('/ban', { reply_to_message: replied as Message['reply_to_message'] }),
        bot,
      ),
      { kind: 'command', command: parseCommand('/ban 3005') },
    );
    assert.deepEqual(
      resolvePersonArgument(
        parseCommand('/unban@moodshift_test_bot'),
        message('/unban', { reply_to_message: replied as Message['reply_to_message'] }),
        bot,
      ),
      { kind: 'command', command: parseCommand('/unban 3005') },
    );
  });

  it('names a person mentioned without a username', () => {
    const text = '/ban Erin';
    const entities = [
      { type: 'bot_command' as const, offset: 0, length: 4 },
      { type: 'text_mention' as const, offset: 5, length: 4, user: erin },
    ];
    assert.deepEqual(resolvePersonArgument(parseCommand(text), message(text, { entities }), bot), {
      kind: 'command',
      command: parseCommand('/ban 3005'),
    });
  });

  it('passes an id through, and explains an @username to the moderator', () => {
    assert.deepEqual(resolvePersonArgument(parseCommand('/ban 3005'), message('/ban 3005'), bot), {
      kind: 'command',
      command: parseCommand('/ban 3005'),
    });
    assert.deepEqual(resolvePersonArgument(parseCommand('/ban @erin'), message('/ban @erin'), bot), {
      kind: 'explain',
      text: usernameHint('ban'),
    });
  });

  it('does not ban the group itself when /ban replies to an anonymous administrator', () => {
    const anonymous = {
      message_id: 9,
      date: 1,
      chat: group,
      from: { id: 1087968824, is_bot: true, first_name: 'Group' },
      sender_chat: group,
      text: 'x',
    } as Message;
    assert.deepEqual(
      resolvePersonArgument(
        parseCommand('/ban'),
        message('/ban', { reply_to_message: anonymous as Message['reply_to_message'] }),
        bot,
      ),
      {
        kind: 'explain',
        text: ANONYMOUS_ADMIN_HINT,
      },
    );
  });

  it('leaves /ban alone when it replies to the bot or to nothing, and other text untouched', () => {
    const fromBot = {
      message_id: 9,
      date: 1,
      chat: group,
      from: { id: bot.id, is_bot: true, first_name: 'moodshift' },
      text: 'x',
    } as Message;
    assert.deepEqual(
      resolvePersonArgument(
        parseCommand('/ban'),
        message('/ban', { reply_to_message: fromBot as Message['reply_to_message'] }),
        bot,
      ),
      { kind: 'command', command: parseCommand('/ban') },
    );
    assert.deepEqual(resolvePersonArgument(parseCommand('/ban'), message('/ban'), bot), {
      kind: 'command',
      command: parseCommand('/ban'),
    });
    assert.deepEqual(resolvePersonArgument(parseCommand('make it sadder'), message('make it sadder'), bot), {
      kind: 'command',
      command: undefined,
    });
    assert.deepEqual(resolvePersonArgument(parseCommand('/block fear'), message('/block fear'), bot), {
      kind: 'command',
      command: parseCommand('/block fear'),
    });
  });
});
