/**
 * How the scopes' policies combine, and the words a refusal uses for where a rule comes from.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeWhere, resolvePolicy, scopeRefs, turnScope } from '../../src/moderation/policy-resolution.ts';
import { DEFAULT_POLICY } from '../../src/moderation/policy.ts';

const refs = scopeRefs('discord', { server: 'g', channel: 'c' });

describe('policy resolution', () => {
  it('reads global, then server, then channel', () => {
    assert.deepEqual(refs, [
      { id: 'global', level: 'global' },
      { id: 'discord:g', level: 'server' },
      { id: 'discord:g:c', level: 'channel' },
    ]);
  });

  it('is the default policy when no scope sets anything', () => {
    const resolved = resolvePolicy(refs, [undefined, undefined, undefined], { defaultWordList: false });
    assert.deepEqual(resolved.policy, DEFAULT_POLICY);
    assert.equal(resolved.words.size, 0);
  });

  it('adds blocks from every scope, and lets an inner scope unblock an emotion', () => {
    const resolved = resolvePolicy(
      refs,
      [
        { blockedEmotions: ['disgust'], blockedElements: ['facial'] },
        { blockedEmotions: ['fear', 'anger'], banned: ['7'] },
        {
          unblockedEmotions: ['fear', 'disgust'],
          blockedEmotions: ['sadness'],
          blockedElements: ['scene'],
          banned: ['8'],
        },
      ],
      { defaultWordList: false },
    );
    assert.deepEqual(resolved.policy.blockedEmotions, ['anger', 'sadness']);
    assert.deepEqual(resolved.policy.blockedElements, ['facial', 'scene']);
    assert.deepEqual(resolved.policy.banned, ['7', '8']);
    assert.equal(resolved.emotionSources.get('anger'), 'discord:g');
    assert.equal(resolved.elementSources.get('facial'), 'global');
  });

  it('keeps the lowest maximum intensity, and the innermost rate limits', () => {
    const resolved = resolvePolicy(
      refs,
      [
        { maxIntensity: 0.8, perUserPerMinute: 5 },
        { maxIntensity: 0.5, perChatPerMinute: 0 },
        { maxIntensity: 0.9, perUserPerMinute: 2 },
      ],
      { defaultWordList: false },
    );
    assert.equal(resolved.policy.maxIntensity, 0.5);
    assert.equal(resolved.maxIntensitySource, 'discord:g');
    assert.equal(resolved.policy.perUserPerMinute, 2);
    assert.equal(resolved.perUserSource, 'discord:g:c');
    assert.equal(resolved.policy.perChatPerMinute, 0);
  });

  it('unites blocked words, says which scope a word comes from, and adds the default list to the global scope', () => {
    const resolved = resolvePolicy(
      refs,
      [{ blockedWords: ['zombie'] }, { blockedWords: ['clown'] }, { blockedWords: ['clown'] }],
      {
        defaultWordList: true,
      },
    );
    assert.deepEqual(resolved.policy.blockedWords, ['clown', 'zombie']);
    assert.ok(resolved.defaultWordCount > 20);
    assert.equal(resolved.words.find('a CLOWN')?.entry.scopeId, 'discord:g:c');
    assert.equal(resolved.words.find('a z0mbie')?.entry.scopeId, 'global');
    assert.equal(resolved.words.find('so gory')?.entry.category, 'gore');
  });

  it('gives a chat without server or channel a scope of its own', () => {
    assert.deepEqual(turnScope(undefined, '555'), { channel: '555' });
    assert.deepEqual(
      scopeRefs('telegram', turnScope(undefined, '555')).map((ref) => ref.id),
      ['global', 'telegram::555'],
    );
    assert.deepEqual(turnScope({ server: '-100' }, '-100'), { server: '-100' });
  });

  it('names the place the way each platform does', () => {
    assert.equal(describeWhere('discord', 'server', { server: 'g', channel: 'c' }), 'this server');
    assert.equal(describeWhere('discord', 'channel', { server: 'g', channel: 'c' }), 'this channel');
    assert.equal(describeWhere('discord', 'channel', { channel: 'dm' }), 'this chat');
    assert.equal(describeWhere('telegram', 'server', { server: '-100' }), 'this group');
    assert.equal(describeWhere('web', 'server', { server: 'local' }), 'this chat');
    assert.equal(describeWhere('discord', 'global', { server: 'g' }), 'this chat');
  });
});
