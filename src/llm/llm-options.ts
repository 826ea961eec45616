/**
 * @module How moodshift talks to an OpenAI-compatible chat model (OpenAI, Ollama, vLLM,
 * llama.cpp, …): the options shared by the language-model normaliser and the vision planner,
 * read from `LLM_*` and `MOODSHIFT_LLM_MODE` and validated once at start.
 */
import { ConfigError } from '../errors.ts';

/**
 * How the model is asked for JSON. Servers differ, so it is the operator's choice:
 * - `jsonSchema`: `response_format: { type: "json_schema" }` (OpenAI, vLLM, recent Ollama and llama.cpp);
 * - `functionCalling`: one forced tool call whose arguments are the answer (servers with tools but no JSON schema);
 * - `jsonMode`: `response_format: { type: "json_object" }`; only the prompt describes the shape (oldest servers).
 */
export type StructuredOutputMethod = 'jsonSchema' | 'functionCalling' | 'jsonMode';
export const STRUCTURED_OUTPUT_METHODS: readonly StructuredOutputMethod[] = [
  'jsonSchema',
  'functionCalling',
  'jsonMode',
];

/**
 * When the language-model normaliser asks the model:
 * - `fallback`: the rules normaliser reads the message first; the model is asked only when the
 *   rules do not understand it or are unsure (another language, a long sentence);
 * - `always`: the model reads every free-text message (commands such as `/undo` stay with the rules).
 */
export type LlmMode = 'fallback' | 'always';
export const LLM_MODES: readonly LlmMode[] = ['fallback', 'always'];

/** The connection to one chat model. */
export interface LlmConnectionOptions {
  /** The server's OpenAI-compatible base URL, ending in `/v1` for most servers (`LLM_BASE_URL`). */
  baseUrl: string;
  /**
   * The API key (`LLM_API_KEY`). Local servers (Ollama, vLLM, llama.cpp) usually need none; a
   * placeholder is sent then, because the client library insists on one.
   * @defaultValue `not-needed`
   */
  apiKey?: string;
  /** The model name (`LLM_MODEL`). @defaultValue `gpt-4o-mini` */
  model?: string;
  /**
   * How long one answer may take in all, retries included, in milliseconds; then the rules (or
   * the knowledge planner) answer instead.
   * @defaultValue 8000 for the normaliser (`LLM_TIMEOUT_MS`), 30000 for the vision planner (`LLM_PLANNER_TIMEOUT_MS`)
   */
  timeoutMs?: number;
  /** Retries after a failed call (a 5xx, a dropped connection), inside `timeoutMs` (`LLM_MAX_RETRIES`). @defaultValue 1 */
  maxRetries?: number;
  /** How the model is asked for JSON (`LLM_STRUCTURED_OUTPUT`). @defaultValue `jsonSchema` */
  structuredOutput?: StructuredOutputMethod;
  /** Sampling temperature; 0 gives the most repeatable answers. @defaultValue 0 */
  temperature?: number;
  /**
   * Calls this process makes to the server at once (`LLM_MAX_CONCURRENCY`); more wait their turn
   * inside their deadline. Keeps a small local server from being flooded.
   * @defaultValue 4
   */
  maxConcurrency?: number;
}

export type ResolvedLlmConnection = Readonly<Required<LlmConnectionOptions>>;

export const DEFAULT_LLM_MODEL = 'gpt-4o-mini';
export const PLACEHOLDER_API_KEY = 'not-needed';

type Env = Record<string, string | undefined>;

/** Accepted spellings of each structured-output method (LangChain's, OpenAI's and short ones). */
const METHOD_ALIASES: Readonly<Record<string, StructuredOutputMethod>> = {
  jsonschema: 'jsonSchema',
  json_schema: 'jsonSchema',
  schema: 'jsonSchema',
  functioncalling: 'functionCalling',
  function_calling: 'functionCalling',
  tools: 'functionCalling',
  tool: 'functionCalling',
  jsonmode: 'jsonMode',
  json_mode: 'jsonMode',
  json_object: 'jsonMode',
  json: 'jsonMode',
};

/** Reads `LLM_STRUCTURED_OUTPUT`. */
export function parseStructuredOutputMethod(
  raw: string | undefined,
  problems: string[],
): StructuredOutputMethod | undefined {
  const value = raw?.trim();
  if (!value) return undefined;
  const method = METHOD_ALIASES[value.toLowerCase().replace(/-/g, '_')];
  if (!method) {
    problems.push(
      `LLM_STRUCTURED_OUTPUT="${value}" is not one of jsonSchema, functionCalling, jsonMode; use functionCalling or jsonMode for a server without JSON-schema output, or leave it unset for jsonSchema.`,
    );
  }
  return method;
}

/** Reads `MOODSHIFT_LLM_MODE`. */
export function parseLlmMode(raw: string | undefined, problems: string[]): LlmMode | undefined {
  const value = raw?.trim().toLowerCase();
  if (!value) return undefined;
  if ((LLM_MODES as readonly string[]).includes(value)) return value as LlmMode;
  problems.push(
    `MOODSHIFT_LLM_MODE="${raw}" is not one of fallback, always; leave it unset for fallback (rules first).`,
  );
  return undefined;
}

/** Reads a whole number of milliseconds or retries from the environment. */
export function parseWholeNumber(
  env: Env,
  name: string,
  min: number,
  max: number,
  problems: string[],
): number | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push(`${name}="${raw}" must be a whole number from ${min} to ${max}.`);
    return undefined;
  }
  return value;
}

/**
 * The `LLM_*` settings beyond the connection's address, read once by `loadConfig` (`src/config.ts`)
 * and handed to the normaliser and the planner through `AppConfig.llm`. Unset means the
 * component's default.
 */
export interface LlmSettings {
  /** `LLM_VISION_MODEL`: the planner's model when it differs from `LLM_MODEL`. */
  visionModel?: string;
  /** `LLM_TIMEOUT_MS`: the normaliser's deadline per answer. @defaultValue 8000 */
  timeoutMs?: number;
  /** `LLM_PLANNER_TIMEOUT_MS`: the planner's deadline per answer. @defaultValue 30000 */
  plannerTimeoutMs?: number;
  /** `LLM_MAX_RETRIES`. @defaultValue 1 */
  maxRetries?: number;
  /** `LLM_STRUCTURED_OUTPUT`. @defaultValue `jsonSchema` */
  structuredOutput?: StructuredOutputMethod;
  /** `LLM_MAX_CONCURRENCY`. @defaultValue 4 */
  maxConcurrency?: number;
  /** `LLM_CACHE_SIZE`: answers the normaliser remembers. @defaultValue 1000 */
  cacheSize?: number;
  /** `MOODSHIFT_LLM_MODE`. @defaultValue `fallback` */
  mode?: LlmMode;
}

/** Reads every `LLM_*` setting of {@link LlmSettings} from `env`, adding a sentence to `problems` for each bad one. */
export function readLlmSettings(env: Env, problems: string[]): LlmSettings {
  const settings: LlmSettings = {
    visionModel: env.LLM_VISION_MODEL?.trim() || undefined,
    timeoutMs: parseWholeNumber(env, 'LLM_TIMEOUT_MS', 100, 600_000, problems),
    plannerTimeoutMs: parseWholeNumber(env, 'LLM_PLANNER_TIMEOUT_MS', 100, 600_000, problems),
    maxRetries: parseWholeNumber(env, 'LLM_MAX_RETRIES', 0, 10, problems),
    structuredOutput: parseStructuredOutputMethod(env.LLM_STRUCTURED_OUTPUT, problems),
    maxConcurrency: parseWholeNumber(env, 'LLM_MAX_CONCURRENCY', 1, 1000, problems),
    cacheSize: parseWholeNumber(env, 'LLM_CACHE_SIZE', 0, 1_000_000, problems),
    mode: parseLlmMode(env.MOODSHIFT_LLM_MODE, problems),
  };
  return Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined)) as LlmSettings;
}

/** What the LLM components read from the application configuration (`AppConfig` has all of it). */
export interface LlmConfig {
  llmBaseUrl?: string;
  llmApiKey?: string;
  llmModel?: string;
  /** The `LLM_*` settings read by `loadConfig`. @defaultValue none: each component's defaults */
  llm?: LlmSettings;
}

/** Throws one ConfigError naming every problem, if there are any. */
export function throwIfProblems(component: string, problems: readonly string[]): void {
  if (problems.length > 0) {
    throw new ConfigError(
      `The ${component} configuration has ${problems.length} problem(s):\n- ${problems.join('\n- ')}`,
    );
  }
}

/**
 * The connection options from explicit options, then the application configuration (read once by
 * `loadConfig`), then `env` (variables given directly, as tests do), then the defaults. Throws a
 * ConfigError that names each bad value and what to change.
 */
export function resolveLlmConnection(
  component: string,
  config: LlmConfig | undefined,
  env: Env,
  explicit: Partial<LlmConnectionOptions>,
  defaults: { timeoutMs: number; timeoutVariable: string; model?: string; configuredTimeoutMs?: number },
  problems: string[],
): ResolvedLlmConnection {
  const settings = config?.llm ?? {};
  const baseUrl = explicit.baseUrl ?? config?.llmBaseUrl ?? env.LLM_BASE_URL?.trim();
  if (!baseUrl) {
    problems.push(
      'LLM_BASE_URL is not set: point it at an OpenAI-compatible server, e.g. http://127.0.0.1:11434/v1 for Ollama.',
    );
  } else {
    try {
      const url = new URL(baseUrl);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
    } catch {
      problems.push(`LLM_BASE_URL="${baseUrl}" is not an http or https URL.`);
    }
  }
  const resolved = {
    baseUrl: (baseUrl ?? '').replace(/\/+$/, ''),
    apiKey: explicit.apiKey ?? config?.llmApiKey ?? (env.LLM_API_KEY?.trim() || PLACEHOLDER_API_KEY),
    model: explicit.model ?? defaults.model ?? config?.llmModel ?? (env.LLM_MODEL?.trim() || DEFAULT_LLM_MODEL),
    timeoutMs:
      explicit.timeoutMs ??
      defaults.configuredTimeoutMs ??
      parseWholeNumber(env, defaults.timeoutVariable, 100, 600_000, problems) ??
      defaults.timeoutMs,
    maxRetries:
      explicit.maxRetries ?? settings.maxRetries ?? parseWholeNumber(env, 'LLM_MAX_RETRIES', 0, 10, problems) ?? 1,
    structuredOutput:
      explicit.structuredOutput ??
      settings.structuredOutput ??
      parseStructuredOutputMethod(env.LLM_STRUCTURED_OUTPUT, problems) ??
      'jsonSchema',
    temperature: explicit.temperature ?? 0,
    maxConcurrency:
      explicit.maxConcurrency ??
      settings.maxConcurrency ??
      parseWholeNumber(env, 'LLM_MAX_CONCURRENCY', 1, 1000, problems) ??
      4,
  };
  if (!Number.isInteger(resolved.timeoutMs) || resolved.timeoutMs < 1) {
    problems.push(
      `${component}: timeoutMs must be a whole number of milliseconds of at least 1 (got ${String(resolved.timeoutMs)}).`,
    );
  }
  if (!Number.isInteger(resolved.maxRetries) || resolved.maxRetries < 0) {
    problems.push(
      `${component}: maxRetries must be a whole number of at least 0 (got ${String(resolved.maxRetries)}).`,
    );
  }
  if (!STRUCTURED_OUTPUT_METHODS.includes(resolved.structuredOutput)) {
    problems.push(
      `${component}: structuredOutput must be one of ${STRUCTURED_OUTPUT_METHODS.join(', ')} (got ${String(resolved.structuredOutput)}).`,
    );
  }
  if (!Number.isFinite(resolved.temperature) || resolved.temperature < 0 || resolved.temperature > 2) {
    problems.push(`${component}: temperature must be a number from 0 to 2 (got ${String(resolved.temperature)}).`);
  }
  if (!Number.isInteger(resolved.maxConcurrency) || resolved.maxConcurrency < 1) {
    problems.push(
      `${component}: maxConcurrency must be a whole number of at least 1 (got ${String(resolved.maxConcurrency)}).`,
    );
  }
  if (!resolved.model.trim()) problems.push(`${component}: the model name is empty; set LLM_MODEL.`);
  return Object.freeze(resolved);
}
