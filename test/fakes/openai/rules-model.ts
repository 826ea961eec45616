/**
 * @module A fake "language model" for the fake OpenAI server that reads the person's message
 * (between `<request>` and `</request>` in the prompt) with the rules normaliser and answers
 * with that Intent in the model's JSON shape. It lets whole suites (the normaliser conformance
 * suite, the evaluation script) run through the real ChatOpenAI parsing path.
 */
import type { Intent, NormaliseContext } from '../../../src/intent.ts';
import { EMOTIONS, type Emotion } from '../../../src/emotions.ts';
import { normaliseText } from '../../../src/normaliser/rules-normaliser.ts';
import { FakeOpenAiServer, type FakeAnswer, type RecordedRequest } from './fake-openai-server.ts';

/** The message and context a normaliser prompt carries. */
export function readNormaliserPrompt(request: RecordedRequest): { text: string; context: NormaliseContext } {
  const prompt = FakeOpenAiServer.textOf(request);
  const text = /<request>\n([\s\S]*)\n<\/request>/.exec(prompt)?.[1] ?? '';
  const current = /currently shows: (\w+)/.exec(prompt)?.[1];
  const context: NormaliseContext = EMOTIONS.includes(current as Emotion) ? { current: current as Emotion } : {};
  // The prompt carries angle brackets as their full-width look-alikes; the rules fold them back.
  return { text: text.replace(/\uff1c/g, '<').replace(/\uff1e/g, '>'), context };
}

/** An Intent in the model's answer shape (every key, `null` where it does not apply). */
export function modelAnswerOf(intent: Intent): Record<string, unknown> {
  const edit = intent.kind === 'edit' ? intent : undefined;
  return {
    kind: intent.kind,
    target: edit?.target ?? null,
    source: edit?.source ?? null,
    intensity: edit?.intensity ?? null,
    direction: intent.kind === 'refine' ? intent.direction : null,
    elements: edit?.elements ?? null,
    notARequest: intent.kind === 'unknown' ? (intent.notARequest ?? null) : null,
    negated: intent.kind === 'unknown' ? (intent.negated ?? null) : null,
  };
}

/** Answers every normaliser request as the rules normaliser reads it. */
export function answersLikeTheRules(request: RecordedRequest): FakeAnswer {
  const { text, context } = readNormaliserPrompt(request);
  return { json: modelAnswerOf(normaliseText(text, context)) };
}
