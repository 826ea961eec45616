/**
 * @module What `moodshift eval` edits: a folder of photos (each edited toward every emotion, or
 * the ones asked for) or an L-AVC JSONL file (one edit per line).
 *
 * ## The L-AVC record (one JSON object per line)
 *
 * | field | required | holds |
 * | --- | --- | --- |
 * | `original_image` | yes | path of the original photo, relative to the JSONL file (or absolute) |
 * | `instruction` | yes | the editing instruction, e.g. `Please change the emotion of this image from amusement to sadness` |
 * | `target_emotion` | yes | one of the eight emotions |
 * | `source_emotion` | no | the emotion the original shows |
 * | `caption` | no | what the original shows |
 * | `edited_caption` | no | what the edit should show (CLIP-T compares the edit with it; otherwise with the planner's edited caption) |
 * | `edited_image` | no | a reference edit (the dataset's ground truth); CLIP-I compares with it when present |
 * | `element` | no | the visual element the edit changes: `facial`, `action`, `object`, `scene`, `color` |
 *
 * Blank lines and lines starting with `#` are skipped; any other line that does not fit is an
 * error naming the line, so a half-read dataset never passes for a whole one.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { EMOTIONS, isElement, isEmotion, type Element, type Emotion } from '../emotions.ts';
import { ConfigError } from '../errors.ts';

/** One edit to make and score. */
export interface EvalItem {
  /** Stable id: the result file's name, so that a rerun finds what is done. */
  id: string;
  /** Absolute path of the original photo. */
  photo: string;
  /** A short name of the photo for tables (its file name). */
  photoName: string;
  target: Emotion;
  source?: Emotion;
  instruction: string;
  caption?: string;
  editedCaption?: string;
  /** Absolute path of a reference edit. */
  reference?: string;
  element?: Element;
}

export interface Dataset {
  kind: 'folder' | 'jsonl';
  path: string;
  items: EvalItem[];
}

/** The picture types a folder dataset picks up. */
export const PHOTO_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.gif', '.tif', '.tiff'];

/** The instruction a folder dataset sends: the canonical EPEM form, without a source (the planner estimates it). */
export function folderInstruction(target: Emotion): string {
  return `Please change the emotion of this image to ${target}`;
}

function slug(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'photo';
}

/** Reads a dataset: a folder of photos or an L-AVC `.jsonl` file. */
export async function loadDataset(path: string, emotions: readonly Emotion[] = EMOTIONS): Promise<Dataset> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new ConfigError(`Dataset "${path}" does not exist: give a folder of photos or an L-AVC .jsonl file.`);
  }
  if (info.isDirectory()) return { kind: 'folder', path: resolve(path), items: await folderItems(path, emotions) };
  return { kind: 'jsonl', path: resolve(path), items: jsonlItems(path, await readFile(path, 'utf8'), emotions) };
}

async function folderItems(folder: string, emotions: readonly Emotion[]): Promise<EvalItem[]> {
  const names = (await readdir(folder)).filter((name) => PHOTO_EXTENSIONS.includes(extname(name).toLowerCase())).sort();
  if (names.length === 0)
    throw new ConfigError(`The folder "${folder}" has no photos (${PHOTO_EXTENSIONS.join(', ')}).`);
  return names.flatMap((name) =>
    emotions.map((target) => ({
      id: `${slug(basename(name, extname(name)))}--${target}`,
      photo: resolve(folder, name),
      photoName: name,
      target,
      instruction: folderInstruction(target),
    })),
  );
}

/** The items of an L-AVC JSONL text; `path` is the file (relative image paths are resolved from its folder). */
export function jsonlItems(path: string, text: string, emotions: readonly Emotion[] = EMOTIONS): EvalItem[] {
  const base = dirname(resolve(path));
  const at = (file: string): string => (isAbsolute(file) ? file : join(base, file));
  const items: EvalItem[] = [];
  const problems: string[] = [];
  const seen = new Map<string, number>();
  text.split(/\r?\n/).forEach((line, index) => {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) return;
    const lineNumber = index + 1;
    let record: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      record = parsed as Record<string, unknown>;
    } catch {
      problems.push(`line ${lineNumber}: not a JSON object`);
      return;
    }
    const text = (field: string): string | undefined =>
      typeof record[field] === 'string' && record[field] ? (record[field] as string) : undefined;
    const original = text('original_image');
    const instruction = text('instruction');
    const target = record.target_emotion;
    const wrong: string[] = [];
    if (!original) wrong.push('original_image (a path) is missing');
    if (!instruction) wrong.push('instruction is missing');
    if (!isEmotion(target)) wrong.push(`target_emotion must be one of ${EMOTIONS.join(', ')}`);
    if (record.source_emotion !== undefined && !isEmotion(record.source_emotion))
      wrong.push('source_emotion is not one of the eight emotions');
    if (record.element !== undefined && !isElement(record.element))
      wrong.push('element must be facial, action, object, scene or color');
    if (wrong.length > 0 || !original || !instruction || !isEmotion(target)) {
      problems.push(`line ${lineNumber}: ${wrong.join('; ')}`);
      return;
    }
    if (!emotions.includes(target)) return;
    const digest = createHash('sha256').update(trimmed).digest('hex').slice(0, 8);
    const stem = `${slug(basename(original, extname(original)))}--${target}--${digest}`;
    const copies = seen.get(stem) ?? 0;
    seen.set(stem, copies + 1);
    const edited = text('edited_image');
    items.push({
      id: copies === 0 ? stem : `${stem}-${copies + 1}`,
      photo: at(original),
      photoName: basename(original),
      target,
      source: isEmotion(record.source_emotion) ? record.source_emotion : undefined,
      instruction,
      caption: text('caption'),
      editedCaption: text('edited_caption'),
      reference: edited ? at(edited) : undefined,
      element: isElement(record.element) ? record.element : undefined,
    });
  });
  if (problems.length > 0)
    throw new ConfigError(
      `The L-AVC file "${path}" has lines that do not fit the record format (see src/eval/dataset.ts):\n  ${problems.slice(0, 10).join('\n  ')}${problems.length > 10 ? `\n  … and ${problems.length - 10} more` : ''}`,
    );
  if (items.length === 0) throw new ConfigError(`The L-AVC file "${path}" has no records for the emotions asked for.`);
  return items;
}
