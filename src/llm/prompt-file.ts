/**
 * @module Prompt templates as plain text files in `prompts/`, read once at start.
 *
 * A file holds a system part and a user part, each opened by a line `### system` or
 * `### user`; lines before the first marker are notes for the operator and are not sent.
 * Named variables are written `{{name}}`. Filling is one pass: a value is never read as a
 * template again, so a person's words that contain `{{…}}` stay words.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../errors.ts';

/** The `prompts/` folder of this package. */
export const PROMPTS_DIR = fileURLToPath(new URL('../../prompts/', import.meta.url));

export interface PromptTemplate {
  /** Where the template was read from. */
  path: string;
  system: string;
  user: string;
}

const VARIABLE = /\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}/gi;

/**
 * Reads a template and checks that it uses every variable in `variables` and no other, so that a
 * typo in an operator's edit fails at start with a sentence rather than reaching the model.
 */
export function loadPromptTemplate(path: string, variables: readonly string[]): PromptTemplate {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `The prompt file ${path} cannot be read (${(error as Error).message}); restore it from the repository.`,
    );
  }
  return parsePromptTemplate(text.replace(/\r\n?/g, '\n'), path, variables);
}

/** Parses the text of a template (see {@link loadPromptTemplate}). */
export function parsePromptTemplate(text: string, path: string, variables: readonly string[]): PromptTemplate {
  const parts: Record<'system' | 'user', string[] | undefined> = { system: undefined, user: undefined };
  let current: string[] | undefined;
  for (const line of text.split('\n')) {
    const marker = /^###\s*(system|user)\s*$/i.exec(line.trim());
    if (marker) {
      const role = marker[1]!.toLowerCase() as 'system' | 'user';
      if (parts[role]) throw new ConfigError(`The prompt file ${path} has two "### ${role}" parts; keep one.`);
      current = parts[role] = [];
      continue;
    }
    current?.push(line);
  }
  if (!parts.system || !parts.user) {
    throw new ConfigError(
      `The prompt file ${path} needs a "### system" line and a "### user" line, each followed by its text.`,
    );
  }
  const template = { path, system: parts.system.join('\n').trim(), user: parts.user.join('\n').trim() };
  const used = new Set([...`${template.system}\n${template.user}`.matchAll(VARIABLE)].map((m) => m[1]!));
  const unknown = [...used].filter((name) => !variables.includes(name));
  const missing = variables.filter((name) => !used.has(name));
  if (unknown.length > 0) {
    throw new ConfigError(
      `The prompt file ${path} uses ${unknown.map((n) => `{{${n}}}`).join(', ')}, which moodshift does not fill; the variables are ${variables.map((n) => `{{${n}}}`).join(', ')}.`,
    );
  }
  if (missing.length > 0) {
    throw new ConfigError(`The prompt file ${path} must use ${missing.map((n) => `{{${n}}}`).join(', ')} somewhere.`);
  }
  return template;
}

/** Fills `{{name}}` with the values, in one pass. */
export function fillTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(VARIABLE, (whole, name: string) => (Object.hasOwn(values, name) ? values[name]! : whole));
}

/**
 * A person's text made safe to place between `<request>` and `</request>`: angle brackets
 * become their full-width look-alikes, so nothing inside can close the block or open another
 * one; control characters other than line breaks and halves of broken emoji are dropped.
 */
export function asDelimitedData(text: string, maxLength: number): string {
  const clipped = text.length > maxLength ? text.slice(0, maxLength) : text;
  return (
    clipped
      .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '')
      // eslint-disable-next-line no-control-regex -- control characters are exactly what this removes
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
      .replace(/</g, '\uff1c')
      .replace(/>/g, '\uff1e')
      .trim()
  );
}
