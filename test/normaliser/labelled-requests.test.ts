import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { normaliseText } from '../../src/normaliser/rules-normaliser.ts';
import { judge, loadRequestSet } from './request-sets.ts';
import type { LabelledRequest } from './request-sets.ts';

const ALL_KINDS = ['edit', 'refine', 'undo', 'redo', 'reset', 'retry', 'help', 'emotions', 'unknown'];

const read = (item: LabelledRequest) => normaliseText(item.text, item.current ? { current: item.current } : {});

function failures(items: LabelledRequest[]): string[] {
  return items.map((item) => judge(read(item), item)).filter((f): f is string => f !== undefined);
}

describe('the rules normaliser on its labelled requests', () => {
  const labelled = loadRequestSet('labelled');

  it('has at least 150 labelled requests covering every kind of Intent', () => {
    assert.ok(labelled.length >= 150, `only ${labelled.length} labelled requests`);
    assert.deepEqual([...new Set(labelled.map((i) => i.expect.kind))].sort(), [...ALL_KINDS].sort());
  });

  for (const item of labelled) {
    const context = item.current ? ` while the picture shows ${item.current}` : '';
    it(`reads ${JSON.stringify(item.text)}${context} as ${describe_(item)}`, () => {
      const failure = judge(read(item), item);
      assert.equal(failure, undefined, failure);
    });
  }
});

describe('the rules normaliser on requests it was never tuned on', () => {
  for (const name of ['held-out', 'held-out-2'] as const) {
    it(`gets at least 95% of the ${name} requests right`, () => {
      const heldOut = loadRequestSet(name);
      assert.ok(heldOut.length >= 60, `only ${heldOut.length} ${name} requests`);
      const wrong = failures(heldOut);
      const accuracy = 1 - wrong.length / heldOut.length;
      assert.ok(accuracy >= 0.95, `${name} accuracy ${(accuracy * 100).toFixed(1)}%:\n${wrong.join('\n')}`);
    });
  }

  it('gets at least 97% of the English evaluation requests right', () => {
    const english = loadRequestSet('eval').filter((i) => i.lang === 'en');
    const wrong = failures(english);
    const accuracy = 1 - wrong.length / english.length;
    assert.ok(accuracy >= 0.97, `English evaluation accuracy ${(accuracy * 100).toFixed(1)}%:\n${wrong.join('\n')}`);
  });
});

describe('the evaluation set', () => {
  const evaluation = loadRequestSet('eval');

  it('has at least 300 requests, every Intent kind, and at least 50 in other languages, each with its language', () => {
    assert.ok(evaluation.length >= 300, `only ${evaluation.length} evaluation requests`);
    assert.ok(
      evaluation.every((i) => typeof i.lang === 'string' && /^[a-z]{2}$/.test(i.lang)),
      'every item names its language',
    );
    assert.ok(evaluation.filter((i) => i.lang !== 'en').length >= 50);
    assert.deepEqual([...new Set(evaluation.map((i) => i.expect.kind))].sort(), [...ALL_KINDS].sort());
    assert.ok(
      evaluation.some((i) => i.current),
      'follow-ups with a current emotion',
    );
    assert.ok(
      evaluation.some((i) => i.expect.elements),
      'requests naming elements',
    );
    assert.ok(
      new Set(evaluation.map((i) => i.expect.intensity).filter((v) => v !== undefined)).size >= 3,
      'several intensities',
    );
  });

  it('shares no request with the labelled set', () => {
    const key = (i: LabelledRequest) => `${i.text.trim().toLowerCase()}|${i.current ?? ''}`;
    const labelled = new Set(loadRequestSet('labelled').map(key));
    const shared = evaluation.filter((i) => labelled.has(key(i))).map((i) => i.text);
    assert.deepEqual(shared, []);
  });
});

function describe_(item: LabelledRequest): string {
  const e = item.expect;
  if (e.kind === 'edit')
    return `edit ${e.source ? `${e.source} → ` : ''}${e.target}${e.intensity ? ` at ${e.intensity}` : ''}${e.elements ? ` on ${e.elements.join('+')}` : ''}`;
  if (e.kind === 'refine') return `refine ${e.direction}`;
  return e.kind;
}
