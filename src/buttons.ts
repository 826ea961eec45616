/**
 * @module Button payloads, the same on every platform: the action and the edit whose message
 * carries the button, in a short string (Telegram allows 64 bytes of callback data, Discord
 * 100 characters of custom id).
 */
import { isEmotion } from './emotions.ts';
import type { ButtonAction, ReplyAction } from './turn.ts';

const PREFIX = 'ms';
const ACTIONS: readonly ReplyAction[] = ['more', 'less', 'undo', 'redo', 'retry'];

/** `ms:more:<editId>` or `ms:emotion:<emotion>:<editId>`. */
export function encodeButton(action: ButtonAction, editId: string): string {
  return action.kind === 'emotion'
    ? `${PREFIX}:emotion:${action.emotion}:${editId}`
    : `${PREFIX}:${action.kind}:${editId}`;
}

/** The action and edit of a button payload, or undefined for anything we did not write. */
export function decodeButton(data: string): (ButtonAction & { editId: string }) | undefined {
  const parts = data.split(':');
  if (parts[0] !== PREFIX) return undefined;
  if (parts[1] === 'emotion' && parts.length === 4 && isEmotion(parts[2]) && parts[3])
    return { kind: 'emotion', emotion: parts[2], editId: parts[3] };
  if (parts.length === 3 && (ACTIONS as readonly string[]).includes(parts[1]!) && parts[2])
    return { kind: parts[1] as ReplyAction, editId: parts[2] };
  return undefined;
}

/** Button labels, the same words everywhere (they live in `messages.ts`). */
export { BUTTON_LABELS } from './messages.ts';
