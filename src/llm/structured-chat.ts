/**
 * @module One structured call to an OpenAI-compatible chat model through LangChain's
 * `ChatOpenAI`: messages in, a value validated by a zod schema out, within a deadline that
 * covers every retry. A failure is never thrown as-is: it comes back classified (timeout,
 * HTTP error, network, invalid output) so that the caller can fall back, log and count it.
 */
import { ChatOpenAI } from '@langchain/openai';
import type { BaseMessage } from '@langchain/core/messages';
import type { Runnable } from '@langchain/core/runnables';
import type { z } from 'zod';
import type { ResolvedLlmConnection } from './llm-options.ts';

/** Why a call gave no usable answer. */
export type LlmFailureReason = 'timeout' | 'http' | 'network' | 'invalid';
export const LLM_FAILURE_REASONS: readonly LlmFailureReason[] = ['timeout', 'http', 'network', 'invalid'];

export type LlmCallResult<T> =
  | { ok: true; value: T; ms: number }
  | { ok: false; reason: LlmFailureReason; detail: string; ms: number; status?: number };

/** The output of a call did not pass the checks after the schema (thrown by a caller's `check`). */
export class InvalidModelOutputError extends Error {
  override readonly name = 'InvalidModelOutputError';
}

/** A chat model that answers with one validated value per call. */
export class StructuredChat<Schema extends z.ZodType> {
  private readonly runnable: Runnable<BaseMessage[], z.infer<Schema>>;

  constructor(
    readonly connection: ResolvedLlmConnection,
    private readonly schema: Schema,
    /** The name of the answer (the tool name in function calling, the schema name otherwise). */
    name: string,
  ) {
    const model = new ChatOpenAI({
      model: connection.model,
      apiKey: connection.apiKey,
      configuration: { baseURL: connection.baseUrl },
      temperature: connection.temperature,
      timeout: connection.timeoutMs,
      maxRetries: connection.maxRetries,
      maxConcurrency: connection.maxConcurrency,
    });
    this.runnable = model.withStructuredOutput(schema, { name, method: connection.structuredOutput }) as Runnable<
      BaseMessage[],
      z.infer<Schema>
    >;
  }

  /**
   * Sends the messages and returns the validated answer, or why there is none. `signal` (the
   * caller's) cancels the call: then the abort is thrown, not returned, because nobody waits for
   * a fallback. `check` may throw {@link InvalidModelOutputError} to reject an answer the schema
   * let through.
   */
  async call<T>(messages: BaseMessage[], check: (value: z.infer<Schema>) => T, signal?: AbortSignal): Promise<LlmCallResult<T>> {
    const started = performance.now();
    const deadline = AbortSignal.timeout(this.connection.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
    const elapsed = (): number => Math.round(performance.now() - started);
    try {
      const answer = await this.runnable.invoke(messages, { signal: combined });
      combined.throwIfAborted();
      // LangChain validates most answers already; not every path (a function-calling server
      // that answers with text and no tool call gives `undefined`), so validate once more.
      const parsed = this.schema.safeParse(answer);
      if (!parsed.success) throw new InvalidModelOutputError(`the answer does not match the schema: ${parsed.error.message}`);
      return { ok: true, value: check(parsed.data), ms: elapsed() };
    } catch (error) {
      if (signal?.aborted) throw signal.reason ?? error;
      return { ok: false, ...classifyFailure(error, deadline.aborted), ms: elapsed() };
    }
  }
}

function classifyFailure(error: unknown, deadlinePassed: boolean): { reason: LlmFailureReason; detail: string; status?: number } {
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  const detail = `${name ? name + ': ' : ''}${message}`.slice(0, 300);
  if (deadlinePassed || name === 'TimeoutError') return { reason: 'timeout', detail };
  if (
    error instanceof InvalidModelOutputError ||
    name === 'OutputParserException' ||
    /ZodError/.test(name) ||
    name === 'SyntaxError' ||
    /Failed to parse|did not match|invalid json|unexpected token|tool_calls? (?:is|are) missing|no tool call/i.test(message)
  ) {
    return { reason: 'invalid', detail };
  }
  const status = statusOf(error);
  if (status !== undefined) return { reason: 'http', detail, status };
  return { reason: 'network', detail };
}

function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const status = (error as { status?: unknown }).status ?? (error as { response?: { status?: unknown } }).response?.status;
  return typeof status === 'number' ? status : undefined;
}
