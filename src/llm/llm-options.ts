/**
 * @module How moodshift talks to an OpenAI-compatible chat model (OpenAI, Ollama, vLLM,
 * llama.cpp, …): the options shared by the language-model normaliser and the vision planner,
 * read from `LLM_*` and `MOODSHIFT_LLM_MODE` and validated once at start.
 */
import type { AppConfig } from '../config.ts';
import { ConfigError } from '../errors.ts';

/**
 * How the model is asked for JSON. Servers differ, so it is the operator's choice:
 * - `jsonSchema`: `response_format: { type: "json_schema" }` (OpenAI, vLLM, recent Ollama and llama.cpp);
 * - `functionCalling`: one forced tool call whose arguments are the answer (servers with tools but no JSON schema);
 * - `jsonMode`: `response_format: { type: "json_object" }`; only the prompt describes the shape (oldest servers).
 */
export type StructuredOutputMethod = 'jsonSchema' | 'functionCalling' | 'jsonMode';
export const STRUCTURED_OUTPUT_METHODS: readonly StructuredOutputMethod[] = ['jsonSchema', 'functionCalling', 'jsonMode'];

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
export function parseStructuredOutputMethod(raw: string | undefined, problems: string[]): StructuredOutputMethod | undefined {
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
  problems.push(`MOODSHIFT_LLM_MODE="${raw}" is not one of fallback, always; leave it unset for fallback (rules first).`);
  return undefined;
}

/** Reads a whole number of milliseconds or retries from the environment. */
export function parseWholeNumber(env: Env, name: string, min: number, max: number, problems: string[]): number | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push(`${name}="${raw}" must be a whole number from ${min} to ${max}.`);
    return undefined;
  }
  return value;
}

/** Throws one ConfigError naming every problem, if there are any. */
export function throwIfProblems(component: string, problems: readonly string[]): void {
  if (problems.length > 0) {
    throw new ConfigError(`The ${component} configuration has ${problems.length} problem(s):\n- ${problems.join('\n- ')}`);
  }
}

/**
 * The connection options from the application configuration and the `LLM_*` environment
 * variables, with explicit options taking precedence. Throws a ConfigError that names each bad
 * value and what to change.
 */
export function resolveLlmConnection(
  component: string,
  config: Pick<AppConfig, 'llmBaseUrl' | 'llmApiKey' | 'llmModel'> | undefined,
  env: Env,
  explicit: Partial<LlmConnectionOptions>,
  defaults: { timeoutMs: number; timeoutVariable: string; model?: string },
  problems: string[],
): ResolvedLlmConnection {
  const baseUrl = explicit.baseUrl ?? config?.llmBaseUrl ?? env.LLM_BASE_URL?.trim();
  if (!baseUrl) {
    problems.push('LLM_BASE_URL is not set: point it at an OpenAI-compatible server, e.g. http://127.0.0.1:11434/v1 for Ollama.');
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
    timeoutMs: explicit.timeoutMs ?? parseWholeNumber(env, defaults.timeoutVariable, 100, 600_000, problems) ?? defaults.timeoutMs,
    maxRetries: explicit.maxRetries ?? parseWholeNumber(env, 'LLM_MAX_RETRIES', 0, 10, problems) ?? 1,
    structuredOutput: explicit.structuredOutput ?? parseStructuredOutputMethod(env.LLM_STRUCTURED_OUTPUT, problems) ?? 'jsonSchema',
    temperature: explicit.temperature ?? 0,
    maxConcurrency: explicit.maxConcurrency ?? parseWholeNumber(env, 'LLM_MAX_CONCURRENCY', 1, 1000, problems) ?? 4,
  };
  if (!Number.isInteger(resolved.timeoutMs) || resolved.timeoutMs < 1) {
    problems.push(`${component}: timeoutMs must be a whole number of milliseconds of at least 1 (got ${String(resolved.timeoutMs)}).`);
  }
  if (!Number.isInteger(resolved.maxRetries) || resolved.maxRetries < 0) {
    problems.push(`${component}: maxRetries must be a whole number of at least 0 (got ${String(resolved.maxRetries)}).`);
  }
  if (!STRUCTURED_OUTPUT_METHODS.includes(resolved.structuredOutput)) {
    problems.push(`${component}: structuredOutput must be one of ${STRUCTURED_OUTPUT_METHODS.join(', ')} (got ${String(resolved.structuredOutput)}).`);
  }
  if (!Number.isFinite(resolved.temperature) || resolved.temperature < 0 || resolved.temperature > 2) {
    problems.push(`${component}: temperature must be a number from 0 to 2 (got ${String(resolved.temperature)}).`);
  }
  if (!Number.isInteger(resolved.maxConcurrency) || resolved.maxConcurrency < 1) {
    problems.push(`${component}: maxConcurrency must be a whole number of at least 1 (got ${String(resolved.maxConcurrency)}).`);
  }
  if (!resolved.model.trim()) problems.push(`${component}: the model name is empty; set LLM_MODEL.`);
  return Object.freeze(resolved);
}
