import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/errors.ts';
import type { Emotion } from '../../src/emotions.ts';
import type { Intent } from '../../src/intent.ts';
import { RulesNormaliser, intentToJson, normaliseText } from '../../src/normaliser/rules-normaliser.ts';
import { runNormaliserConformance } from './normaliser.conformance.ts';

runNormaliserConformance('rules', () => new RulesNormaliser());

const edit = (text: string, current?: Emotion): Extract<Intent, { kind: 'edit' }> => {
  const intent = normaliseText(text, { current });
  assert.equal(intent.kind, 'edit', `${JSON.stringify(text)} should be an edit, got ${JSON.stringify(intent)}`);
  return intent as Extract<Intent, { kind: 'edit' }>;
};

describe('RulesNormaliser', () => {
  it('is named "rules" and answers like normaliseText', async () => {
    const normaliser = new RulesNormaliser();
    assert.equal(normaliser.name, 'rules');
    assert.deepEqual(
      await normaliser.normalise('much scarier', { current: 'awe' }),
      normaliseText('much scarier', { current: 'awe' }),
    );
    assert.deepEqual(normaliser.normaliseSync('undo'), { kind: 'undo' });
  });

  it('refuses options that make no sense, saying what to change', () => {
    assert.throws(
      () => new RulesNormaliser({ maxInputLength: 0 }),
      (error: unknown) => error instanceof ConfigError && /maxInputLength/.test(error.message),
    );
    assert.throws(() => new RulesNormaliser({ maxInputLength: 2.5 }), ConfigError);
    assert.throws(() => new RulesNormaliser({ typoTolerance: 'yes' as unknown as boolean }), ConfigError);
  });

  it('reads only the first maxInputLength characters', () => {
    const normaliser = new RulesNormaliser({ maxInputLength: 20 });
    assert.deepEqual(normaliser.normaliseSync('hello '.repeat(10) + 'make it sad'), { kind: 'unknown' });
    assert.equal(normaliser.normaliseSync('make it sad ' + 'hello '.repeat(10)).kind, 'edit');
  });

  it('understands a few words of other languages unless told not to', () => {
    assert.equal(edit('rends-la plus triste').target, 'sadness');
    assert.equal(edit('hazlo más aterrador').target, 'fear');
    const englishOnly = new RulesNormaliser({ otherLanguages: false });
    assert.deepEqual(englishOnly.normaliseSync('rends-la plus triste'), { kind: 'unknown' });
  });

  it('forgives one typo in a long emotion word unless told not to', () => {
    assert.equal(edit('make it terrifiyng').target, 'fear');
    assert.equal(edit('make it melancholik').target, 'sadness');
    assert.deepEqual(new RulesNormaliser({ typoTolerance: false }).normaliseSync('make it terrifiyng'), {
      kind: 'unknown',
    });
  });

  it('never turns a real English word into an emotion as if it were a typo', () => {
    // Each is one letter away from an emotion word: bitter, violent, lonely, gross, mellow, weeping.
    for (const text of [
      'make it better',
      'make it violet',
      'lovely',
      'make the grass green',
      'make it yellow',
      'keeping it real',
    ]) {
      assert.notEqual(normaliseText(text).kind, 'edit', `${JSON.stringify(text)} is not an emotion request`);
    }
  });

  it('does not take words that merely look like emotion words for a feeling', () => {
    assert.equal(edit('hopefully you can make it sad').target, 'sadness');
    assert.equal(edit('I was wondering if you could make it calm').target, 'contentment');
    assert.equal(edit('make the wilderness scary').target, 'fear');
    assert.equal(edit('positively terrifying').target, 'fear');
    assert.equal(edit('dreadfully sad').target, 'sadness', 'an adverb that only says how much');
    assert.deepEqual(normaliseText('cheers'), { kind: 'unknown' });
  });

  it('reads stretched letters, shouting and stray punctuation', () => {
    assert.equal(edit('make it saaaaaad').target, 'sadness');
    assert.equal(edit('SCARIER!!!!').target, 'fear');
    assert.equal(edit('...make...it...cozy...').target, 'contentment');
  });

  it('derives comparatives, adverbs and nouns it was not given', () => {
    assert.equal(edit('make it eerily quiet').target, 'fear');
    assert.equal(edit('add some scariness').target, 'fear');
    assert.deepEqual(normaliseText('dreamier', { current: 'contentment' }), { kind: 'refine', direction: 'more' });
  });

  it('ignores @mentions, Discord mentions and links', () => {
    assert.equal(edit('@sad_bot make it funny').target, 'amusement');
    assert.equal(edit('<@111> <#222> make it calm https://example.com/sad-scary').target, 'contentment');
  });

  it('reads intensity from words and numbers', () => {
    assert.equal(edit('make it a little sad').intensity, 0.3);
    assert.equal(edit('make it sad').intensity, 0.6);
    assert.equal(edit('make it really sad').intensity, 0.8);
    assert.equal(edit('make it extremely sad').intensity, 1);
    assert.equal(edit('make it sad at 45%').intensity, 0.45);
    assert.equal(edit('scary 7/10').intensity, 0.7);
    assert.equal(edit('make it sad 0.4').intensity, 0.4);
    assert.equal(edit('sad (strong)').intensity, 0.8, 'the caption words work too');
    assert.equal(edit('so what, make it sad').intensity, 0.6, '"so" far from the emotion is not an intensity');
  });

  it('keeps the source only when the person names it', () => {
    assert.equal(edit('make it scary', 'sadness').source, undefined);
    assert.equal(edit('from sad to scary', 'awe').source, 'sadness');
  });

  it('treats a word for an element that also names a feeling as the element when a stronger feeling is named', () => {
    const intent = edit('make her smile sadder');
    assert.equal(intent.target, 'sadness');
    assert.deepEqual(intent.elements, ['facial']);
  });

  it('reads slash commands, with or without the bot name, and passes /mood text through', () => {
    assert.deepEqual(normaliseText('/undo@moodshift_bot'), { kind: 'undo' });
    assert.deepEqual(normaliseText('/EMOTIONS'), { kind: 'emotions' });
    assert.deepEqual(normaliseText('/mood'), { kind: 'help' });
    assert.equal(edit('/mood much scarier').intensity, 0.8);
    assert.deepEqual(normaliseText('/block fear'), { kind: 'unknown' }, 'moderator commands are not requests');
  });

  it('answers unknown for values that are not text', () => {
    for (const value of [undefined, null, 42, {}, ['sad']]) {
      assert.deepEqual(normaliseText(value as unknown as string), { kind: 'unknown' });
    }
    assert.deepEqual(normaliseText('undo', { current: 'not-an-emotion' as never }), { kind: 'undo' });
  });
});

describe('intentToJson', () => {
  it('prints the fields in a fixed order and leaves out what does not apply', () => {
    const json = intentToJson(normaliseText('from fear to a bit of awe in the sky'));
    assert.deepEqual(Object.keys(json), ['kind', 'target', 'source', 'intensity', 'elements', 'instruction']);
    assert.deepEqual(json, {
      kind: 'edit',
      target: 'awe',
      source: 'fear',
      intensity: 0.3,
      elements: ['scene'],
      instruction: 'Please change the emotion of this image from fear to awe',
    });
    assert.deepEqual(intentToJson(normaliseText('make it sad')), {
      kind: 'edit',
      target: 'sadness',
      intensity: 0.6,
      instruction: 'Please change the emotion of this image to sadness',
    });
    assert.deepEqual(intentToJson({ kind: 'refine', direction: 'less' }), { kind: 'refine', direction: 'less' });
    assert.deepEqual(intentToJson({ kind: 'undo' }), { kind: 'undo' });
  });
});
