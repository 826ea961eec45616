/**
 * /help in the web chat over real HTTP: it speaks of clicking pictures (the web chat has no
 * replies), lists every command a visitor can type, and the moderator commands only where the
 * chat gives moderator rights. A picture whose photo already showed the feeling asked for is
 * captioned "more X", never "X → X".
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MODERATOR_COMMANDS, PERSON_COMMANDS, parseCommand } from '../../../src/commands.ts';
import { fixture, Session, startTestWeb, type TestWeb } from './web-test-engine.ts';

/** The commands a help text names: every `/word`. */
const commandsIn = (text: string): string[] => [...text.matchAll(/(?<![\w/])\/([a-z_]+)/g)].map((m) => m[1]!);

describe('web chat: /help and captions', () => {
  let member: TestWeb;
  let moderator: TestWeb;
  before(async () => {
    member = await startTestWeb({ moderatorCommands: false });
    moderator = await startTestWeb({ moderatorCommands: true });
  });
  after(async () => {
    await member?.close();
    await moderator?.close();
  });

  const help = async (t: TestWeb): Promise<string> => {
    const { status, body } = await new Session(t.web.url).say({ text: '/help' });
    assert.equal(status, 200);
    return body.replies[0]!.text;
  };

  it("tells a visitor to click pictures and lists the visitor's commands, each one the chat takes", async () => {
    const text = await help(member);
    assert.match(text, /Click any of my pictures/);
    assert.doesNotMatch(text, /[Rr]eply to/, 'the web chat has no replies');
    const named = commandsIn(text);
    assert.deepEqual(new Set(named), new Set(PERSON_COMMANDS.filter((name) => name !== 'start')));
    for (const name of named)
      assert.equal(parseCommand(`/${name}`)?.type, 'person', `/${name} is a command the chat takes`);
    assert.doesNotMatch(text, /Moderators:/, 'no moderator commands without moderator rights');
    for (const name of MODERATOR_COMMANDS) assert.ok(!named.includes(name), `/${name} is not shown`);
  });

  it('lists all nine moderator commands where the chat gives moderator rights, and each one answers', async () => {
    const text = await help(moderator);
    const line = text.split('\n').find((l) => l.startsWith('Moderators:')) ?? '';
    assert.deepEqual(new Set(commandsIn(line)), new Set(MODERATOR_COMMANDS));
    const session = new Session(moderator.web.url);
    for (const name of commandsIn(line)) {
      const { body } = await session.say({ text: `/${name}` });
      // Each exists here: a moderator gets its answer or its usage, never "not a moderator" or "unknown".
      assert.doesNotMatch(body.replies[0]!.text, /Only moderators|I don't know that command/, `/${name}`);
    }
  });

  it('captions a picture that already showed the feeling "more X", never "X → X"', async () => {
    // The shared photo of the cat reads as contentment; "make it calm" asks for contentment again.
    const { status, body } = await new Session(member.web.url).upload(fixture('chelsea.png'), 'make it calm');
    assert.equal(status, 200);
    const picture = body.replies.find((reply) => reply.image)!;
    assert.match(picture.text, /^more contentment than the original · moderate/);
    assert.doesNotMatch(picture.text, /(\w+) → \1\b/);
  });
});
