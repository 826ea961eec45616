/**
 * @module Downloads a picture from a platform's own file host, with a size limit enforced
 * before (Content-Length) and during the download, and a time limit. Adapters build their
 * `ImageAttachment.fetch` on it.
 */
import { ErrorCode, UserError } from '../errors.ts';

export interface DownloadOptions {
  /** Largest body accepted, in bytes. */
  maxBytes: number;
  /** Host names the URL may point at (exact match, lower case). Empty means any host. @defaultValue [] */
  allowedHosts?: readonly string[];
  /** Abort after this long. @defaultValue 30 000 ms */
  timeoutMs?: number;
  /** Extra request headers. */
  headers?: Record<string, string>;
}

export async function downloadImage(url: string, options: DownloadOptions): Promise<Buffer> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UserError(ErrorCode.ImageDownloadFailed);
  }
  const hosts = options.allowedHosts ?? [];
  const host = parsed.hostname.toLowerCase();
  const hostWithPort = parsed.host.toLowerCase();
  if (
    !['http:', 'https:'].includes(parsed.protocol) ||
    (hosts.length > 0 && !hosts.includes(host) && !hosts.includes(hostWithPort))
  ) {
    throw new UserError(ErrorCode.ImageHostNotAllowed, { host });
  }
  let response: Response;
  try {
    response = await fetch(parsed, {
      headers: options.headers,
      redirect: 'error',
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
  } catch (error) {
    throw new UserError(ErrorCode.ImageDownloadFailed, {}, { cause: error });
  }
  if (!response.ok || !response.body) throw new UserError(ErrorCode.ImageDownloadFailed, { status: response.status });
  const declared = Number(response.headers.get('content-length'));
  const limit = formatBytes(options.maxBytes);
  if (Number.isFinite(declared) && declared > options.maxBytes) {
    await response.body.cancel().catch(() => {});
    throw new UserError(ErrorCode.ImageTooLarge, { actual: formatBytes(declared), limit });
  }
  const chunks: Uint8Array[] = [];
  let received = 0;
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.byteLength;
      if (received > options.maxBytes) {
        await reader.cancel().catch(() => {});
        throw new UserError(ErrorCode.ImageTooLarge, { actual: `over ${limit}`, limit });
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(ErrorCode.ImageDownloadFailed, {}, { cause: error });
  }
  return Buffer.concat(chunks);
}

/** `20 MB`, `512 KB`: sizes as people read them. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}
