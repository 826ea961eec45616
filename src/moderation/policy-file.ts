/**
 * @module The operator's global policy file (`MOODSHIFT_POLICY`): JSON or YAML, validated once at
 * start with one clear sentence per bad field. See `policies/example-policy.yaml`.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ELEMENTS, EMOTIONS } from '../emotions.ts';
import { ConfigError } from '../errors.ts';
import { PICTURE_CLASSES, type PolicyOverride } from './policy.ts';

/** The longest blocked word or phrase, in characters. */
export const MAX_WORD_LENGTH = 80;

const wordsSchema = z.array(z.string().trim().min(1).max(MAX_WORD_LENGTH));
const rateSchema = z.number().int().min(0).max(10_000);
const thresholdSchema = z.number().gt(0).max(1);
const thresholdsSchema = z.strictObject(
  Object.fromEntries(PICTURE_CLASSES.map((name) => [name, thresholdSchema.optional()])) as Record<
    (typeof PICTURE_CLASSES)[number],
    z.ZodOptional<typeof thresholdSchema>
  >,
);

/** The fields a scope's policy may set. Shared by the policy file and the stores. */
export const policyOverrideSchema = z.strictObject({
  blockedEmotions: z.array(z.enum(EMOTIONS)).optional(),
  unblockedEmotions: z.array(z.enum(EMOTIONS)).optional(),
  blockedElements: z.array(z.enum(ELEMENTS)).optional(),
  maxIntensity: z.number().gt(0).max(1).optional(),
  blockedWords: wordsSchema.optional(),
  perUserPerMinute: rateSchema.optional(),
  perChatPerMinute: rateSchema.optional(),
  banned: z.array(z.union([z.string().min(1), z.number().int()]).transform(String)).optional(),
  pictureRule: z.enum(['block', 'allow']).optional(),
  pictureThresholds: thresholdsSchema.optional(),
});

const policyFileSchema = policyOverrideSchema.extend({
  /** Whether the built-in default word list is on. */
  defaultWordList: z.boolean().optional(),
});

/** What the operator's policy file says. */
export interface PolicyFile {
  policy: PolicyOverride;
  /** Undefined when the file does not say. */
  defaultWordList?: boolean;
}

const HINTS: Record<string, string> = {
  blockedEmotions: `a list of emotions from: ${EMOTIONS.join(', ')}`,
  unblockedEmotions: `a list of emotions from: ${EMOTIONS.join(', ')}`,
  blockedElements: `a list of elements from: ${ELEMENTS.join(', ')}`,
  maxIntensity: 'a number above 0 and at most 1 (0.3 low, 0.6 medium, 0.8 high, 1 max)',
  blockedWords: `a list of words or phrases, each 1 to ${MAX_WORD_LENGTH} characters`,
  perUserPerMinute: 'a whole number from 0 (no limit) to 10000',
  perChatPerMinute: 'a whole number from 0 (no limit) to 10000',
  banned: 'a list of platform user ids',
  pictureRule: '"block" or "allow"',
  pictureThresholds: `a map from ${PICTURE_CLASSES.join(', ')} to a score above 0 and at most 1 (1 switches that class off)`,
  defaultWordList: 'true or false',
};

function valueAt(data: unknown, path: PropertyKey[]): unknown {
  let value = data;
  for (const key of path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key];
  return value;
}

function formatPath(path: PropertyKey[]): string {
  return path
    .map((key, index) => (typeof key === 'number' ? `[${key}]` : index ? `.${String(key)}` : String(key)))
    .join('');
}

/** One sentence per problem of `data` as a policy, or the policy. */
export function parsePolicyFile(data: unknown, source: string): PolicyFile {
  const parsed = policyFileSchema.safeParse(data ?? {});
  if (parsed.success) {
    const { defaultWordList, ...policy } = parsed.data;
    return { policy, defaultWordList };
  }
  const problems = parsed.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return `unknown setting ${issue.keys.map((key) => `"${key}"`).join(', ')}; the settings are: ${Object.keys(HINTS).join(', ')}`;
    }
    const field = String(issue.path[0] ?? '');
    const got = valueAt(data, issue.path);
    return `${formatPath(issue.path) || 'the file'} is ${JSON.stringify(got) ?? 'missing'}; it must be ${HINTS[field] ?? 'an object of settings'}`;
  });
  throw new ConfigError(
    `The moderation policy ${source} has ${problems.length} problem(s):\n- ${problems.join('\n- ')}`,
  );
}

/** Reads and validates the operator's policy file (`.json`, `.yaml` or `.yml`). */
export async function loadPolicyFile(path: string): Promise<PolicyFile> {
  const source = `file ${path} (MOODSHIFT_POLICY)`;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`Cannot read the moderation policy ${source}: ${(error as Error).message}. Check the path.`, {
      cause: error,
    });
  }
  let data: unknown;
  try {
    data = extname(path).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ConfigError(
      `The moderation policy ${source} is not valid ${extname(path) === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  return parsePolicyFile(data, source);
}

/**
 * A stored scope policy read back: invalid fields are dropped rather than failing the turn
 * (a store written by an older or newer version), and reported through `onProblem`.
 */
export function sanitiseStoredOverride(data: unknown, onProblem: (message: string) => void): PolicyOverride {
  const parsed = policyOverrideSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  const clean: Record<string, unknown> = {};
  const record = (data && typeof data === 'object' ? data : {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(record)) {
    const shape = policyOverrideSchema.shape as Record<string, z.ZodType>;
    const field = shape[key];
    const result = field?.safeParse(value);
    if (result?.success) clean[key] = result.data;
    else onProblem(`ignored the stored policy field "${key}"`);
  }
  return clean as PolicyOverride;
}
