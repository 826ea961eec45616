/**
 * @module The audit trail of moderation: every refusal and every policy change is written to
 * the audit log (a refusal still stands when the log cannot be written), with the request cut
 * to a safe length and blocked words never in clear, only where they were found, which list
 * they are on and a short fingerprint.
 */
import { createHash } from 'node:crypto';
import type { UserError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { AUDIT_DETAIL } from '../messages.ts';
import type { AuditLog } from './audit-log.ts';
import type { AuditEntry, ModerationContext } from './moderation.ts';
import type { TurnScopes } from './policy-cache.ts';
import type { BlockedWordSource } from './policy-resolution.ts';
import type { WordMatcher } from './word-matcher.ts';

/** What a refusal's audit entry says beside its rule. */
export interface RefusalAudit {
  /** The request; cut, and redacted with `words` when given. */
  request?: string;
  detail?: string;
  words?: WordMatcher<BlockedWordSource>;
}

function fingerprint(word: string): string {
  return 'sha256:' + createHash('sha256').update(word.normalize('NFKC').toLowerCase()).digest('hex').slice(0, 12);
}

/** `text` on one line, at most `length` characters (an ellipsis ends a cut one). */
export function cut(text: string, length: number): string {
  const characters = [...text.replace(/\s+/g, ' ').trim()];
  return characters.length <= length ? characters.join('') : characters.slice(0, length - 1).join('') + '…';
}

export class AuditRecorder {
  readonly #audit: AuditLog;
  readonly #requestChars: number;
  readonly #logger: Logger;
  readonly #now: () => number;

  constructor(audit: AuditLog, options: { requestChars: number; logger: Logger; now: () => number }) {
    this.#audit = audit;
    this.#requestChars = options.requestChars;
    this.#logger = options.logger;
    this.#now = options.now;
  }

  async record(entry: Omit<AuditEntry, 'at'>): Promise<void> {
    try {
      await this.#audit.append({ at: this.#now(), ...entry });
    } catch (error) {
      // A refusal still stands when the audit log cannot be written; the log line keeps the trace.
      this.#logger.warn({ err: error, scope: entry.scope, rule: entry.rule }, 'moderation: cannot write the audit log');
    }
  }

  /** Writes the refusal to the audit log of the turn's home scope, then throws `error`. */
  async refuse(context: ModerationContext, scopes: TurnScopes, error: UserError, audit: RefusalAudit): Promise<never> {
    // Blocked words never reach the log in clear, whatever the refusal (a banned person's request too).
    const request =
      audit.request === undefined
        ? undefined
        : cut(audit.words ? audit.words.redact(audit.request) : audit.request, this.#requestChars);
    await this.record({
      scope: scopes.home.id,
      actor: { id: context.actor.id, name: context.actor.name },
      kind: 'refusal',
      rule: error.code,
      request,
      detail: audit.detail,
    });
    throw error;
  }

  /** Where a blocked word was found and on which list, with its fingerprint instead of the word. */
  wordDetail(found: BlockedWordSource, where: string, scopes: TurnScopes): string {
    return AUDIT_DETAIL.word(
      where,
      found.category ? { category: found.category } : { place: scopes.where(found.scopeId) },
      fingerprint(found.word),
    );
  }
}
