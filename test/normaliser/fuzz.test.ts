import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EMOTIONS } from '../../src/emotions.ts';
import { RulesNormaliser, normaliseText } from '../../src/normaliser/rules-normaliser.ts';
import { assertValidIntent } from './normaliser.conformance.ts';

/** A small deterministic generator (mulberry32), so a failure can be replayed from its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  'make',
  'it',
  'not',
  'sad',
  'scarier',
  'from',
  'to',
  'more',
  'less',
  'undo',
  '/',
  '@',
  '<@',
  '>',
  '😱',
  '\u0000',
  '\ud800',
  '\udc00',
  '%',
  '0.',
  '/10',
  'very',
  'a bit',
  'the sky',
  '!!!',
  '   ',
  '\n',
  'é',
  '\u0301',
  '‍',
  '️',
  'too',
  'enough',
  'instead of',
  '->',
  '→',
];

function randomText(next: () => number): string {
  const length = Math.floor(next() * 40);
  let text = '';
  for (let i = 0; i < length; i++) {
    const r = next();
    if (r < 0.45) text += PIECES[Math.floor(next() * PIECES.length)] + (next() < 0.7 ? ' ' : '');
    else if (r < 0.75)
      text += String.fromCharCode(Math.floor(next() * 0x10000)); // any UTF-16 unit, surrogates included
    else if (r < 0.9) text += String.fromCodePoint(Math.floor(next() * 0x110000));
    else text += String.fromCharCode(Math.floor(next() * 32));
  }
  return text;
}

describe('the rules normaliser under fuzzing', () => {
  it('answers 3000 random messages with well-formed Intents and never throws', () => {
    for (let seed = 1; seed <= 3000; seed++) {
      const next = random(seed);
      const text = randomText(next);
      const current = next() < 0.5 ? EMOTIONS[Math.floor(next() * EMOTIONS.length)] : undefined;
      let intent;
      try {
        intent = normaliseText(text, { current });
      } catch (error) {
        assert.fail(`seed ${seed} threw ${String(error)} on ${JSON.stringify(text)}`);
      }
      assertValidIntent(intent, text);
    }
  });

  it('reads a huge message without trouble and only up to its limit', () => {
    const normaliser = new RulesNormaliser();
    const huge = 'x'.repeat(5_000_000) + ' make it sad';
    assert.deepEqual(normaliser.normaliseSync(huge), { kind: 'unknown' });
    assertValidIntent(normaliser.normaliseSync('make it sad '.repeat(100_000)), 'make it sad × 100000');
  });

  it('survives every control character and broken surrogate pairs', () => {
    for (let code = 0; code < 32; code++) {
      assertValidIntent(normaliseText(`make ${String.fromCharCode(code)} it sad`), `control ${code}`);
    }
    for (const text of ['\ud83d', '\ude31', 'sad\ud83d', '\ude31scary', '\ud83d\ud83d\ude31']) {
      assertValidIntent(normaliseText(text), text);
    }
    assert.equal(normaliseText('make\u0000it\u0007sad').kind, 'edit', 'control characters separate words');
  });
});
