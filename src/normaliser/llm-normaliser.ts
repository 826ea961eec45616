/**
 * @module The language-model normaliser (`MOODSHIFT_NORMALISER=llm`): free text in any language
 * to an `Intent`, through LangChain's `ChatOpenAI` and any OpenAI-compatible server (OpenAI,
 * Ollama, vLLM, llama.cpp).
 *
 * - **Modes.** `fallback` (default): the rules normaliser reads the message first and the model
 *   is asked only when the rules do not understand it or are unsure (see
 *   `llm-rules-confidence.ts`); `always`: the model reads every free-text message. Slash
 *   commands always stay with the rules.
 * - **Degrading.** Any error, timeout (the deadline covers every retry) or invalid answer (not
 *   JSON, an emotion or kind that does not exist, an edit without a target) gives the rules'
 *   reading instead. Each is logged and counted (`stats()`); the person only waits longer.
 * - **Cache.** Identical messages in the same context are answered once (a bounded LRU of the
 *   model's answers; identical messages asked at the same moment share one call). Failures are
 *   not cached.
 * - **The person's text is data.** It is placed between `<request>` and `</request>` with angle
 *   brackets neutralised, the prompt says it is data, and the answer is confined by a schema to
 *   an Intent: nothing the model returns can change policy (the Editor still applies moderation
 *   to every edit) or reach another conversation (an Intent names none).
 */
import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import { join } from 'node:path';
import { EMOTIONS, EMOTION_TABLE, isEmotion } from '../emotions.ts';
import type { Intent, NormaliseContext, Normaliser } from '../intent.ts';
import { INTENSITY } from '../intent.ts';
import { INTENSITY_WORDS } from '../lexicon.ts';
import { silentLogger, type Logger } from '../logger.ts';
import {
  parseLlmMode,
  parseWholeNumber,
  resolveLlmConnection,
  throwIfProblems,
  type LlmConfig,
  type LlmConnectionOptions,
  type LlmMode,
  type ResolvedLlmConnection,
} from '../llm/llm-options.ts';
import { LruCache } from '../llm/lru-cache.ts';
import {
  PROMPTS_DIR,
  asDelimitedData,
  fillTemplate,
  loadPromptTemplate,
  type PromptTemplate,
} from '../llm/prompt-file.ts';
import { LLM_FAILURE_REASONS, StructuredChat, type LlmFailureReason } from '../llm/structured-chat.ts';
import { intentFromModel, modelIntentSchema } from './llm-intent-schema.ts';
import { doubtAboutRules, type RulesDoubt } from './llm-rules-confidence.ts';

/** The variables `prompts/normalise.txt` is filled with. */
export const NORMALISE_PROMPT_VARIABLES = ['emotions', 'elements', 'intensities', 'current', 'request'] as const;

export interface LlmNormaliserOptions extends Partial<LlmConnectionOptions> {
  /**
   * The normaliser that answers when the model is not asked or fails: in practice the rules
   * normaliser. Required.
   */
  fallback: Normaliser;
  /** `LLM_BASE_URL`, `LLM_API_KEY`, `LLM_MODEL` and the other `LLM_*` settings as `loadConfig` read them (`AppConfig`); explicit options win. */
  config?: LlmConfig;
  /** Where failures and fallbacks are logged. @defaultValue a silent logger */
  logger?: Logger;
  /** When the model is asked (`MOODSHIFT_LLM_MODE`). @defaultValue `fallback` */
  mode?: LlmMode;
  /** Distinct messages whose answers are kept (`LLM_CACHE_SIZE`); 0 turns the cache off. @defaultValue 1000 */
  cacheSize?: number;
  /** The longest message sent to the model, in characters; the rest is cut. @defaultValue 500 */
  maxInputLength?: number;
  /** In `fallback` mode, messages longer than this many words are checked by the model even when the rules understood them. @defaultValue 12 */
  longMessageWords?: number;
  /** The prompt template. @defaultValue `prompts/normalise.txt` */
  promptFile?: string;
  /**
   * `LLM_*` variables given directly (tests, embedding), read after `config`. The process's own
   * environment is read once, by `loadConfig`, never here.
   * @defaultValue none
   */
  env?: Record<string, string | undefined>;
}

/** What the normaliser has done since it started. */
export interface LlmNormaliserStats {
  /** Messages read. */
  requests: number;
  /** Messages the rules answered without asking the model (fallback mode, rules sure). */
  rulesOnly: number;
  /** Calls made to the model. */
  modelCalls: number;
  /** Messages answered by the model (fresh or cached). */
  modelAnswers: number;
  /** Messages answered from the cache (or by sharing a call under way). */
  cacheHits: number;
  /** Messages where the model was asked but the rules answered, by reason. */
  fallbacks: Record<LlmFailureReason, number>;
}

type ModelOutcome = { ok: true; intent: Intent } | { ok: false; reason: LlmFailureReason };

/** Free text to Intent with a language model, degrading to the rules on any failure. */
export class LlmNormaliser implements Normaliser {
  readonly name = 'llm';
  readonly mode: LlmMode;
  readonly connection: ResolvedLlmConnection;
  private readonly fallback: Normaliser;
  private readonly logger: Logger;
  private readonly chat: StructuredChat<typeof modelIntentSchema>;
  private readonly prompt: PromptTemplate;
  private readonly cache: LruCache<string, Intent>;
  private readonly inFlight = new Map<string, Promise<ModelOutcome>>();
  private readonly maxInputLength: number;
  private readonly longMessageWords: number;
  private readonly counters: LlmNormaliserStats = {
    requests: 0,
    rulesOnly: 0,
    modelCalls: 0,
    modelAnswers: 0,
    cacheHits: 0,
    fallbacks: Object.fromEntries(LLM_FAILURE_REASONS.map((r) => [r, 0])) as Record<LlmFailureReason, number>,
  };

  constructor(options: LlmNormaliserOptions) {
    const env = options.env ?? {};
    const settings = options.config?.llm ?? {};
    const problems: string[] = [];
    if (!options.fallback || typeof options.fallback.normalise !== 'function') {
      problems.push(
        'LlmNormaliser needs a fallback normaliser (the rules normaliser) to answer when the model cannot.',
      );
    }
    this.connection = resolveLlmConnection(
      'LlmNormaliser',
      options.config,
      env,
      options,
      { timeoutMs: 8000, timeoutVariable: 'LLM_TIMEOUT_MS', configuredTimeoutMs: settings.timeoutMs },
      problems,
    );
    this.mode = options.mode ?? settings.mode ?? parseLlmMode(env.MOODSHIFT_LLM_MODE, problems) ?? 'fallback';
    if (options.mode !== undefined && options.mode !== 'fallback' && options.mode !== 'always') {
      problems.push(`LlmNormaliser: mode must be fallback or always (got ${String(options.mode)}).`);
    }
    const cacheSize =
      options.cacheSize ??
      settings.cacheSize ??
      parseWholeNumber(env, 'LLM_CACHE_SIZE', 0, 1_000_000, problems) ??
      1000;
    this.maxInputLength = options.maxInputLength ?? 500;
    this.longMessageWords = options.longMessageWords ?? 12;
    if (!Number.isInteger(cacheSize) || cacheSize < 0)
      problems.push(`LlmNormaliser: cacheSize must be a whole number of at least 0 (got ${cacheSize}).`);
    if (!Number.isInteger(this.maxInputLength) || this.maxInputLength < 1) {
      problems.push(
        `LlmNormaliser: maxInputLength must be a whole number of characters of at least 1 (got ${this.maxInputLength}).`,
      );
    }
    if (!Number.isInteger(this.longMessageWords) || this.longMessageWords < 1) {
      problems.push(
        `LlmNormaliser: longMessageWords must be a whole number of at least 1 (got ${this.longMessageWords}).`,
      );
    }
    throwIfProblems('language-model normaliser', problems);
    this.fallback = options.fallback;
    this.logger = (options.logger ?? silentLogger).child({ component: 'llm-normaliser' });
    this.cache = new LruCache(cacheSize);
    this.prompt = loadPromptTemplate(
      options.promptFile ?? join(PROMPTS_DIR, 'normalise.txt'),
      NORMALISE_PROMPT_VARIABLES,
    );
    this.chat = new StructuredChat(this.connection, modelIntentSchema, 'intent');
  }

  async normalise(text: string, context: NormaliseContext = {}): Promise<Intent> {
    this.counters.requests++;
    const rules = await this.fallback.normalise(text, context);
    if (typeof text !== 'string') return rules;
    const doubt = doubtAboutRules(text, rules, this.longMessageWords);
    if (!text.trim() || text.trim().startsWith('/') || (this.mode === 'fallback' && doubt === undefined)) {
      this.counters.rulesOnly++;
      return rules;
    }
    const current = isEmotion(context.current) ? context.current : undefined;
    const key = `${current ?? ''}\u0000${text.trim().replace(/\s+/g, ' ').slice(0, this.maxInputLength)}`;
    const cached = this.cache.get(key);
    if (cached) {
      this.counters.cacheHits++;
      this.counters.modelAnswers++;
      return structuredClone(cached);
    }
    let pending = this.inFlight.get(key);
    if (pending) {
      this.counters.cacheHits++;
    } else {
      pending = this.askModel(text, current, key, doubt).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    const outcome = await pending;
    if (!outcome.ok) return rules;
    this.counters.modelAnswers++;
    // A copy: the cache keeps its own, whatever a caller does with the answer.
    return structuredClone(outcome.intent);
  }

  /** Counters since start: how often the model was asked, answered, and fell back (by reason). */
  stats(): LlmNormaliserStats {
    return { ...this.counters, fallbacks: { ...this.counters.fallbacks } };
  }

  private async askModel(
    text: string,
    current: (typeof EMOTIONS)[number] | undefined,
    key: string,
    doubt: RulesDoubt | undefined,
  ): Promise<ModelOutcome> {
    this.counters.modelCalls++;
    const values = {
      ...PROMPT_CONSTANTS,
      current: current ? `${current} (${EMOTION_TABLE[current].meaning})` : 'none (no edit yet)',
      request: asDelimitedData(text, this.maxInputLength),
    };
    const messages = [
      new SystemMessage(fillTemplate(this.prompt.system, values)),
      new HumanMessage(fillTemplate(this.prompt.user, values)),
    ];
    const result = await this.chat.call(messages, intentFromModel);
    if (result.ok) {
      this.cache.set(key, result.value);
      this.logger.debug({ ms: result.ms, kind: result.value.kind, doubt }, 'the model read a message');
      return { ok: true, intent: result.value };
    }
    this.counters.fallbacks[result.reason]++;
    this.logger.warn(
      {
        reason: result.reason,
        status: result.status,
        detail: result.detail,
        ms: result.ms,
        model: this.connection.model,
      },
      'the language model gave no usable answer; the rules answered instead',
    );
    return { ok: false, reason: result.reason };
  }
}

const PROMPT_CONSTANTS = {
  emotions: EMOTIONS.map((e) => `- ${e} (${EMOTION_TABLE[e].valence}): ${EMOTION_TABLE[e].meaning}`).join('\n'),
  elements: [
    '- facial: facial expressions',
    '- action: what people or animals do',
    '- object: things in the picture',
    '- scene: the place, the sky, the background',
    '- color: colour and brightness',
  ].join('\n'),
  intensities: [
    `- ${INTENSITY.low}: ${INTENSITY_WORDS.low
      .slice(0, 4)
      .map((w) => `"${w}"`)
      .join(', ')}`,
    `- ${INTENSITY.medium}: no intensity word`,
    `- ${INTENSITY.high}: ${INTENSITY_WORDS.high
      .slice(0, 4)
      .map((w) => `"${w}"`)
      .join(', ')}`,
    `- ${INTENSITY.max}: ${INTENSITY_WORDS.max
      .slice(0, 4)
      .map((w) => `"${w}"`)
      .join(', ')}`,
    '- a number the person gives, as a fraction of 1: "5/10" is 0.5, "70%" is 0.7',
  ].join('\n'),
};

/** What the engine passes: the configuration, the rules normaliser and the logger. */
export interface CreateLlmNormaliserOptions extends Omit<LlmNormaliserOptions, 'config'> {
  config: LlmConfig;
}

/** Builds the language-model normaliser from the application configuration (see the module note). */
export function createLlmNormaliser(options: CreateLlmNormaliserOptions): LlmNormaliser {
  return new LlmNormaliser(options);
}
