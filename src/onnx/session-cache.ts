/**
 * @module ONNX Runtime sessions, created once per process and reused: one per model file and
 * execution provider, checked against the manifest's signature when first loaded.
 */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { ConfigError } from '../errors.ts';
import {
  contentProblems,
  describeSignature,
  missingFileError,
  signatureError,
  signatureProblems,
  type FoundTensor,
  type ManifestFile,
} from './manifest.ts';
import {
  assertProviderAvailable,
  explainProviderFailure,
  sessionOptionsFor,
  type ExecutionProvider,
  type ProviderTuning,
} from './execution-provider.ts';

interface CachedSession {
  session: Promise<ort.InferenceSession>;
  users: number;
}

const sessions = new Map<string, CachedSession>();

export interface LoadSessionOptions extends ProviderTuning {
  provider: ExecutionProvider;
  /** The backend asking, for messages. */
  backend: string;
}

function metadataOf(list: readonly ort.InferenceSession.ValueMetadata[]): FoundTensor[] {
  return list.map((m) =>
    m.isTensor ? { name: m.name, type: m.type, shape: m.shape } : { name: m.name, type: 'non-tensor', shape: [] },
  );
}

/** The inputs of a session, by name (with type and shape). */
export function inputsOf(session: ort.InferenceSession): Map<string, FoundTensor> {
  return new Map(metadataOf(session.inputMetadata).map((t) => [t.name, t]));
}

/** The outputs of a session, by name. */
export function outputsOf(session: ort.InferenceSession): Map<string, FoundTensor> {
  return new Map(metadataOf(session.outputMetadata).map((t) => [t.name, t]));
}

async function createCheckedSession(
  path: string,
  file: ManifestFile,
  options: LoadSessionOptions,
): Promise<ort.InferenceSession> {
  if (!existsSync(path)) throw missingFileError(path, file, options.backend);
  const problems = await contentProblems(path, file, false);
  const expected = file.signature ? ` Expected ${describeSignature(file.signature)}.` : '';
  if (problems.length > 0)
    throw new ConfigError(`Model file ${path} is not usable: ${problems.join('; ')}.${expected}`);
  assertProviderAvailable(options.provider);
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(path, sessionOptionsFor(options.provider, options));
  } catch (error) {
    const provider = explainProviderFailure(options.provider, path, error);
    if (provider) throw provider;
    const size = (await stat(path)).size;
    throw new ConfigError(
      `Model file ${path} (${size} bytes) could not be loaded as an ONNX model; it may be truncated or not an ONNX file: ` +
        `${error instanceof Error ? error.message.split('\n')[0] : String(error)}.${expected} Download or export it again.`,
      { cause: error },
    );
  }
  if (file.signature) {
    const inputs = metadataOf(session.inputMetadata);
    const outputs = metadataOf(session.outputMetadata);
    const mismatches = signatureProblems(file.signature, inputs, outputs);
    if (mismatches.length > 0) {
      await session.release();
      throw signatureError(path, file.signature, inputs, outputs, mismatches);
    }
  }
  return session;
}

/**
 * The session for `file` under `modelsDir`, loading and checking it on first use. Each call
 * counts as one user; call `releaseSession` with the same arguments when done.
 */
export function acquireSession(
  modelsDir: string,
  file: ManifestFile,
  options: LoadSessionOptions,
): Promise<ort.InferenceSession> {
  const path = join(modelsDir, file.path);
  const key = sessionKey(path, options);
  let entry = sessions.get(key);
  if (!entry) {
    const session = createCheckedSession(path, file, options);
    entry = { session, users: 0 };
    sessions.set(key, entry);
    session.catch(() => sessions.delete(key));
  }
  entry.users += 1;
  return entry.session;
}

function sessionKey(path: string, options: LoadSessionOptions): string {
  return `${options.provider}:${options.cpuThreads ?? ''}:${options.cpuSpinning ? 'spin' : ''}:${path}`;
}

/** Gives one use back; the last user's release frees the session. */
export async function releaseSession(
  modelsDir: string,
  file: ManifestFile,
  options: LoadSessionOptions,
): Promise<void> {
  const path = join(modelsDir, file.path);
  const key = sessionKey(path, options);
  const entry = sessions.get(key);
  if (!entry) return;
  entry.users -= 1;
  if (entry.users > 0) return;
  sessions.delete(key);
  try {
    await (await entry.session).release();
  } catch {
    // A session that failed to load has nothing to free.
  }
}

/** How many sessions are open (for tests and diagnostics). */
export function openSessionCount(): number {
  return sessions.size;
}
