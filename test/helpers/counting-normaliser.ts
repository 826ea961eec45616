/** The rules normaliser, keeping what it was asked to read: a test shows which turns read words at all. */
import type { Intent, NormaliseContext, Normaliser } from '../../src/intent.ts';
import { RulesNormaliser } from '../../src/normaliser/rules-normaliser.ts';

export class CountingNormaliser implements Normaliser {
  readonly name = 'counting';
  readonly read: string[] = [];
  readonly #inner = new RulesNormaliser();
  normalise(text: string, context?: NormaliseContext): Promise<Intent> {
    this.read.push(text);
    return this.#inner.normalise(text, context);
  }
}
