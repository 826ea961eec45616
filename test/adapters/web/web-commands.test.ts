/**
 * Commands as the web chat's JSON, over real HTTP: `{ command: { type: 'edit', emotion, intensity } }`
 * and `{ command: { type: 'command', name, args } }` reach the engine as the typed command (no text
 * is parsed); a moderator command still needs moderator rights; a name the table does not know is
 * a bad request.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { describeIntensity, INTENSITY } from '../../../src/intent.ts';
import { fixture, Session, startTestWeb, type TestWeb, type TurnBody } from './web-test-engine.ts';
import { CountingNormaliser } from '../../helpers/counting-normaliser.ts';

async function command(
  session: Session,
  payload: Record<string, unknown>,
): Promise<{ status: number; body: TurnBody }> {
  const response = await session.request('/api/turns', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ command: payload }),
  });
  return { status: response.status, body: (await response.json()) as TurnBody };
}

describe('web chat: commands as JSON', () => {
  let member: TestWeb;
  let moderator: TestWeb;
  const normaliser = new CountingNormaliser();
  before(async () => {
    member = await startTestWeb({ moderatorCommands: false }, {}, { normaliser });
    moderator = await startTestWeb({ moderatorCommands: true });
  });
  after(async () => {
    await member?.close();
    await moderator?.close();
  });

  it('makes the edit a JSON command names, reading no words', async () => {
    const session = new Session(member.web.url);
    const asked = await session.upload(fixture('chelsea.png'), '');
    assert.equal(asked.status, 200);
    assert.equal(asked.body.replies[0]!.kind, 'ask');
    const read = normaliser.read.length;
    const { status, body } = await command(session, { type: 'edit', emotion: 'fear', intensity: 'low' });
    assert.equal(status, 200);
    assert.equal(body.replies[0]!.kind, 'edit', body.replies[0]!.text);
    assert.match(body.replies[0]!.text, new RegExp(`→ fear · ${describeIntensity(INTENSITY.low)}`));
    const info = await command(session, { type: 'command', name: 'emotions' });
    assert.match(info.body.replies[0]!.text, /sadness/);
    const undone = await command(session, { type: 'command', name: 'back' });
    assert.match(undone.body.replies[0]!.text, /^Undo: /, 'an alias of the table');
    assert.equal(normaliser.read.length, read, 'none of these was read as words');
  });

  it("checks an edit command's feeling against blocked words, whatever text comes beside it", async () => {
    const session = new Session(member.web.url);
    await session.upload(fixture('chelsea.png'), '');
    const response = await session.request('/api/turns', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'hello', command: { type: 'edit', emotion: 'fear', feeling: 'make it g o r y' } }),
    });
    const body = (await response.json()) as TurnBody;
    assert.equal(body.replies[0]!.code, 'word_blocked', body.replies[0]!.text);
  });

  it('refuses a moderator command to a visitor without moderator rights', async () => {
    const { body } = await command(new Session(member.web.url), { type: 'command', name: 'block', args: ['fear'] });
    assert.equal(body.replies[0]!.code, 'not_moderator');
  });

  it("runs a moderator's command with each argument whole", async () => {
    const session = new Session(moderator.web.url);
    const added = await command(session, {
      type: 'command',
      name: 'words',
      args: ['add', 'say "cheese"', `it's “grim”`],
    });
    assert.match(added.body.replies[0]!.text, /Added 2 words/);
    const listed = await command(session, { type: 'command', name: 'words', args: ['list'] });
    assert.ok(
      listed.body.replies[0]!.text.includes('"say "cheese""') && listed.body.replies[0]!.text.includes(`"it's “grim”"`),
      listed.body.replies[0]!.text,
    );
  });

  it('answers a command the table does not know, or a malformed one, as a bad request', async () => {
    const session = new Session(member.web.url);
    assert.equal((await command(session, { type: 'command', name: 'frobnicate' })).status, 400);
    assert.equal((await command(session, { type: 'edit', emotion: 'glee' })).status, 400);
    assert.equal(
      (await command(session, { type: 'command', name: 'edit', args: ['sadder'] })).status,
      400,
      'the edit comes as an edit command',
    );
  });
});
