/**
 * How the picture rule resolves across scopes (no model needed): DMs follow the operator's
 * global rule alone, Discord channels that are not age-restricted may only tighten it, and the
 * operator's policy file validates the picture fields with a sentence a person can act on.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ageRestriction } from '../../adapters/discord/to-turn.ts';
import { parsePolicyFile } from '../../src/moderation/policy-file.ts';
import { pictureScopesFor, resolvePolicy, scopeRefs } from '../../src/moderation/policy-resolution.ts';
import { exceededClass } from '../../src/safety/picture-safety.ts';

const scores = (over: Partial<Record<'Drawing' | 'Hentai' | 'Neutral' | 'Porn' | 'Sexy', number>>) => ({
  Drawing: 0,
  Hentai: 0,
  Neutral: 1,
  Porn: 0,
  Sexy: 0,
  ...over,
});

describe('picture rule across scopes', () => {
  it('reads where moderators may change it: nowhere in a DM, only stricter in a Discord channel that is not age-restricted', () => {
    assert.equal(pictureScopesFor('discord', { channel: 'dm' }), 'global');
    assert.equal(pictureScopesFor('telegram', undefined), 'global');
    assert.equal(pictureScopesFor('discord', { server: 'g', channel: 'c' }), 'tighten');
    assert.equal(pictureScopesFor('discord', { server: 'g', channel: 'c', ageRestricted: true }), 'all');
    assert.equal(pictureScopesFor('telegram', { server: '-100' }), 'all');
    assert.equal(pictureScopesFor('web', { server: 'local' }), 'all');
  });

  it('lets the innermost scope decide within those limits, and names who set each part', () => {
    const refs = scopeRefs('discord', { server: 'g', channel: 'c' });
    const overrides = [
      {},
      { pictureRule: 'allow' as const, pictureThresholds: { Porn: 0.95 } },
      { pictureThresholds: { Sexy: 0.5 } },
    ];
    const strict = resolvePolicy(refs, overrides, { defaultWordList: false, pictureScopes: 'tighten' });
    assert.equal(strict.policy.pictureRule, 'block', 'allow is ignored outside an age-restricted channel');
    assert.deepEqual(
      strict.policy.pictureThresholds,
      { Porn: 0.7, Hentai: 0.7, Sexy: 0.5 },
      'only the lower threshold counts',
    );
    assert.equal(strict.pictureThresholdSources.get('Sexy'), 'discord:g:c');
    assert.equal(strict.pictureThresholdSources.get('Porn'), 'global');
    const open = resolvePolicy(refs, overrides, { defaultWordList: false, pictureScopes: 'all' });
    assert.equal(open.policy.pictureRule, 'allow');
    assert.equal(open.pictureRuleSource, 'discord:g');
    assert.equal(open.policy.pictureThresholds.Porn, 0.95);
    const dm = resolvePolicy(refs, overrides, { defaultWordList: false, pictureScopes: 'global' });
    assert.equal(dm.policy.pictureRule, 'block');
    assert.deepEqual(dm.policy.pictureThresholds, { Porn: 0.7, Hentai: 0.7, Sexy: 0.9 });
  });

  it('refuses at or above a threshold, names the class furthest past it, and never for a class set to 1', () => {
    const thresholds = { Porn: 0.7, Hentai: 0.7, Sexy: 0.9, Drawing: 1 };
    assert.equal(exceededClass(scores({ Porn: 0.69 }), thresholds), undefined);
    assert.equal(exceededClass(scores({ Porn: 0.7 }), thresholds), 'Porn');
    assert.equal(exceededClass(scores({ Porn: 0.75, Hentai: 0.95 }), thresholds), 'Hentai');
    assert.equal(exceededClass(scores({ Drawing: 1 }), thresholds), undefined);
  });

  it('reads the operator file picture fields and explains a wrong one', () => {
    assert.deepEqual(parsePolicyFile({ pictureRule: 'allow', pictureThresholds: { Porn: 0.5 } }, 'test').policy, {
      pictureRule: 'allow',
      pictureThresholds: { Porn: 0.5 },
    });
    assert.throws(
      () => parsePolicyFile({ pictureRule: 'maybe' }, 'test'),
      /pictureRule is "maybe"; it must be "block" or "allow"/,
    );
    assert.throws(
      () => parsePolicyFile({ pictureThresholds: { Porn: 2 } }, 'test'),
      /pictureThresholds\.Porn is 2; it must be a map from Porn, Hentai, Sexy, Drawing/,
    );
    assert.throws(() => parsePolicyFile({ pictureThresholds: { Neutral: 0.5 } }, 'test'), /problem/);
  });

  it("reads Discord's age-restricted mark from the channel, and a thread's from its parent", () => {
    assert.deepEqual(ageRestriction({ nsfw: true, isThread: () => false }), { ageRestricted: true });
    assert.deepEqual(ageRestriction({ nsfw: false, isThread: () => false }), {});
    assert.deepEqual(ageRestriction({ isThread: () => true, parent: { nsfw: true } }), { ageRestricted: true });
    assert.deepEqual(
      ageRestriction({ isThread: () => true, parent: null }),
      {},
      'an unknown parent counts as not age-restricted',
    );
    assert.deepEqual(ageRestriction(null), {});
  });
});
