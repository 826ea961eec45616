/**
 * The default word list and the evasion-resistant matcher: requests crafted to slip past it are
 * caught, innocent sentences are not.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultBlockedWords } from '../../src/moderation/default-word-list.ts';
import { WordMatcher } from '../../src/moderation/word-matcher.ts';

const defaults = new WordMatcher(defaultBlockedWords().map(({ word, category }) => ({ word, entry: category })));

describe('the default word list', () => {
  const evasions: Array<[string, string]> = [
    ['make it gory', 'gore'],
    ['Make It GORY!!!', 'gore'],
    ['g o r y please', 'gore'],
    ['g.o.r.y', 'gore'],
    ['g-o-r-e', 'gore'],
    ['gooooory', 'gore'],
    ['g0ry', 'gore'],
    ['mut1lated body', 'gore'],
    ['ɡоrу', 'gore'], // Latin script g, Cyrillic о and у
    ['ｇｏｒｙ', 'gore'], // full-width letters
    ['𝐠𝐨𝐫𝐲', 'gore'], // mathematical bold letters
    ['gőry', 'gore'], // diacritics
    ['g\u200bory', 'gore'], // a zero-width space inside the word
    ['make her n u d e', 'sexual'],
    ['NUDES', 'sexual'],
    ['make it n$fw', 'sexual'],
    ['k!ll yourself', 'self-harm'],
    ['p0rn', 'sexual'],
    ['k1ll y0urse1f', 'self-harm'],
    ['kill-yourself', 'self-harm'],
    ['killyourself', 'self-harm'],
    ['K Y S', 'self-harm'],
    ['selfharm vibes', 'self-harm'],
    ['make him look like a f@gg0t', 'slur'],
    ['r e t a r d e d', 'slur'],
  ];
  for (const [text, category] of evasions) {
    it(`catches ${JSON.stringify(text)} (${category})`, () => {
      assert.equal(defaults.find(text)?.entry, category);
    });
  }

  const innocent = [
    'a scary forest',
    'make this sadder',
    'grape',
    'Scunthorpe at night',
    "the drapes in my therapist's office",
    'a skyscraper in Essex and Sussex',
    'a classic cocktail, spick and span',
    'make it dark and bloody scary, like a horror film',
    'kill the brightness, make it gloomy',
    'a dead tree in the fog',
    'hot summer, sexy sunset colours', // "sexy" is not on the list; "sex" matches whole words only
    'unisex t-shirt on a hanger',
    'the Gorey Building',
    'flame retardant jacket',
    'a spicy curry',
    'a chink of light through the curtains',
    'Pakistan at dawn',
    'I am 1 year older: make it 4 times happier, 3 stars',
    'a u t u m n',
    'make it a bit calmer',
  ];
  for (const text of innocent) {
    it(`allows ${JSON.stringify(text)}`, () => {
      assert.equal(defaults.find(text), undefined);
    });
  }

  it('masks every blocked word of a text, including a spelled-out one, and keeps the rest', () => {
    assert.equal(defaults.redact('make it g o r y and n.u.d.e, in blue'), 'make it ▇▇▇ and ▇▇▇, in blue');
  });

  it('matches a letter repeated only where the blocked word repeats it', () => {
    const matcher = new WordMatcher([{ word: 'boob', entry: 'x' }]);
    assert.equal(matcher.find('Bob the builder'), undefined);
    assert.ok(matcher.find('b00000b'));
  });
});
