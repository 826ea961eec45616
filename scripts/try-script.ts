/**
 * @module The short conversation that `npm run try:telegram` and `npm run try:discord` play
 * against the fake platform servers: a photo with a request, a button, a follow-up and an undo.
 */
import { BUTTON_LABELS } from '../src/buttons.ts';

/** One thing the scripted person does. */
export type ScriptStep =
  | { kind: 'photo'; text: string }
  | { kind: 'text'; text: string }
  | { kind: 'button'; label: string };

export const conversationScript: readonly ScriptStep[] = [
  { kind: 'photo', text: 'make this sadder' },
  { kind: 'button', label: BUTTON_LABELS.more },
  { kind: 'text', text: 'now make it calm' },
  { kind: 'button', label: BUTTON_LABELS.undo },
];
