/**
 * @module G-Eval (the EPEM paper, Section 4.4): a vision-language model is shown the edited
 * picture with the paper's instruction, word for word, and the accuracy is the share of edits
 * whose answer is the target emotion. The paper used GPT-4V; here it is the configured
 * OpenAI-compatible chat model (`LLM_BASE_URL`, `LLM_MODEL`, `LLM_API_KEY`), asked at
 * temperature 0.
 *
 * Answers are validated, never guessed: an answer counts when it names exactly one of the eight
 * emotions as a whole word (case and punctuation aside, so "Sadness." and "The emotion is
 * sadness" both read as sadness). An answer naming none, or two or more, is `invalid` (it is in
 * the report, and counts as a miss in the accuracy), as is an HTTP error or a reply without text.
 * Model answers (valid or not) are cached on disk by model, instruction and picture hash, so a
 * rerun asks again only for new pictures; failures to reach the model are not cached.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EMOTIONS, type Emotion } from '../../emotions.ts';

/** The paper's instruction, word for word. */
export const G_EVAL_INSTRUCTION =
  'As an image emotion analysis assistant, please determine the emotion of this input image and choose the emotion from [amusement, awe, contentment, excitement, anger, disgust, sadness, fear]';

export type GEvalAnswer =
  | { valid: true; emotion: Emotion; raw: string }
  | { valid: false; reason: 'off-list' | 'ambiguous' | 'malformed' | 'error'; raw: string };

export interface GEvalOptions {
  /** The OpenAI-compatible API root, ending in `/v1` as `LLM_BASE_URL` does. */
  baseUrl: string;
  model: string;
  apiKey?: string;
  /** Folder of cached answers. @defaultValue no cache */
  cacheDir?: string;
  /** Time limit of one request. @defaultValue 60000 */
  timeoutMs?: number;
}

/** Reads a model's answer as one of the eight emotions, or says why it cannot. */
export function readGEvalAnswer(raw: string): GEvalAnswer {
  const words = new Set(raw.toLowerCase().match(/[a-z]+/g) ?? []);
  const named = EMOTIONS.filter((emotion) => words.has(emotion));
  if (!raw.trim()) return { valid: false, reason: 'malformed', raw };
  if (named.length === 1) return { valid: true, emotion: named[0]!, raw };
  return { valid: false, reason: named.length === 0 ? 'off-list' : 'ambiguous', raw };
}

export class GEvalJudge {
  readonly model: string;
  readonly #options: GEvalOptions;

  constructor(options: GEvalOptions) {
    if (!options.baseUrl || !options.model) throw new TypeError('G-Eval needs LLM_BASE_URL and LLM_MODEL');
    this.#options = { timeoutMs: 60_000, ...options };
    this.model = options.model;
  }

  /** The judge's reading of one picture. */
  async judge(bytes: Buffer, mime: string): Promise<GEvalAnswer> {
    const key = createHash('sha256')
      .update(this.model)
      .update('\0')
      .update(G_EVAL_INSTRUCTION)
      .update('\0')
      .update(bytes)
      .digest('hex');
    const cached = await this.#cached(key);
    if (cached) return cached;
    let raw: string;
    try {
      raw = await this.#ask(bytes, mime);
    } catch (error) {
      return { valid: false, reason: 'error', raw: error instanceof Error ? error.message : String(error) };
    }
    const answer = readGEvalAnswer(raw);
    if (this.#options.cacheDir) {
      await mkdir(this.#options.cacheDir, { recursive: true });
      await writeFile(
        join(this.#options.cacheDir, `${key}.json`),
        JSON.stringify({ model: this.model, answer }) + '\n',
      );
    }
    return answer;
  }

  async #cached(key: string): Promise<GEvalAnswer | undefined> {
    if (!this.#options.cacheDir) return undefined;
    try {
      return (
        JSON.parse(await readFile(join(this.#options.cacheDir, `${key}.json`), 'utf8')) as { answer: GEvalAnswer }
      ).answer;
    } catch {
      return undefined;
    }
  }

  /** The model's text answer; throws on HTTP errors and replies without a text answer. */
  async #ask(bytes: Buffer, mime: string): Promise<string> {
    const url = `${this.#options.baseUrl.replace(/\/+$/, '')}/chat/completions`;
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(this.#options.apiKey ? { authorization: `Bearer ${this.#options.apiKey}` } : {}),
      },
      body: JSON.stringify({
        model: this.model,
        temperature: 0,
        max_tokens: 50,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: G_EVAL_INSTRUCTION },
              { type: 'image_url', image_url: { url: `data:${mime};base64,${bytes.toString('base64')}` } },
            ],
          },
        ],
      }),
      signal: AbortSignal.timeout(this.#options.timeoutMs!),
    });
    if (!response.ok) throw new Error(`the model server answered HTTP ${response.status}`);
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      throw new Error('the model server answered with something that is not JSON');
    }
    const content = (body as { choices?: Array<{ message?: { content?: unknown } }> }).choices?.[0]?.message?.content;
    if (typeof content === 'string') return content;
    if (Array.isArray(content))
      return content
        .map((part) =>
          typeof part === 'object' && part && 'text' in part ? String((part as { text: unknown }).text) : '',
        )
        .join('');
    return '';
  }
}
