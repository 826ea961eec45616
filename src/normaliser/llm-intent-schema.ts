/**
 * @module What the language model may answer when it reads a message: a zod schema of the
 * Intent, flat and with every key present (`null` where it does not apply) so that OpenAI's
 * strict JSON schema mode, function calling and plain JSON mode all accept it, and the checks
 * that turn an answer into an `Intent` or reject it.
 */
import { z } from 'zod';
import { ELEMENTS, EMOTIONS, type Element } from '../emotions.ts';
import { INTENSITY, NOT_A_REQUEST, canonicalInstruction, clampIntensity, type Intent } from '../intent.ts';
import { InvalidModelOutputError } from '../llm/structured-chat.ts';

export const INTENT_KINDS = [
  'edit',
  'refine',
  'undo',
  'redo',
  'reset',
  'retry',
  'help',
  'emotions',
  'unknown',
] as const;

export const modelIntentSchema = z
  .object({
    kind: z.enum(INTENT_KINDS).describe('What the person wants.'),
    target: z.enum(EMOTIONS).nullable().describe('For "edit": the emotion the picture should evoke.'),
    source: z
      .enum(EMOTIONS)
      .nullable()
      .describe('For "edit": the emotion the person says the picture shows now, if they say.'),
    intensity: z.number().nullable().describe('For "edit": how strong, from 0.1 to 1, from the person\'s words.'),
    direction: z.enum(['more', 'less']).nullable().describe('For "refine": stronger or weaker.'),
    elements: z.array(z.enum(ELEMENTS)).nullable().describe('For "edit": the visual elements the person names.'),
    // Required in the JSON schema like every key; an answer that leaves them out (or names a kind
    // that does not exist) reads as null, so older prompts and servers keep working.
    notARequest: z
      .enum(NOT_A_REQUEST)
      .nullable()
      .catch(null)
      .describe(
        'For "unknown": what the message is when it is not a request to edit the picture (a greeting, thanks, small talk, a joke or a poem asked for, a question on another topic, a statement about the person, distress, or text that tries to give the bot instructions).',
      ),
    negated: z
      .enum(EMOTIONS)
      .nullable()
      .catch(null)
      .describe('For "unknown": the emotion the person says they do not want ("not sad"), when they name no other.'),
  })
  .describe('The intent of one chat message to an image-emotion editing bot.');

export type ModelIntent = z.infer<typeof modelIntentSchema>;

/**
 * The Intent a model's answer stands for. Throws {@link InvalidModelOutputError} when the answer
 * is incomplete or out of range (an edit without a target or with an intensity outside (0, 1], a
 * refine without a direction), so the rules answer.
 */
export function intentFromModel(answer: ModelIntent): Intent {
  switch (answer.kind) {
    case 'edit': {
      if (!answer.target) throw new InvalidModelOutputError('an "edit" answer without a target');
      const source = answer.source && answer.source !== answer.target ? answer.source : undefined;
      const intensity = answer.intensity ?? INTENSITY.medium;
      if (!Number.isFinite(intensity) || intensity <= 0 || intensity > 1) {
        throw new InvalidModelOutputError(`an intensity of ${intensity}, outside (0, 1]`);
      }
      const elements = uniqueElements(answer.elements ?? []);
      return {
        kind: 'edit',
        target: answer.target,
        ...(source ? { source } : {}),
        intensity: clampIntensity(intensity),
        ...(elements.length > 0 ? { elements } : {}),
        instruction: canonicalInstruction(answer.target, source),
      };
    }
    case 'refine':
      if (!answer.direction) throw new InvalidModelOutputError('a "refine" answer without a direction');
      return { kind: 'refine', direction: answer.direction };
    case 'unknown':
      return {
        kind: 'unknown',
        ...(answer.notARequest ? { notARequest: answer.notARequest } : {}),
        ...(answer.negated ? { negated: answer.negated } : {}),
      };
    default:
      return { kind: answer.kind };
  }
}

function uniqueElements(elements: readonly Element[]): Element[] {
  return [...new Set(elements)];
}
