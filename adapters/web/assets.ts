/**
 * @module The page's files, read once at start into memory and served only by their known
 * names: no path from a request ever reaches the file system, so there is nothing to traverse.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

export interface Asset {
  body: Buffer;
  contentType: string;
  /** A strong ETag from the content hash. */
  etag: string;
}

/** URL path to file name under `public/`. Nothing else is served. */
const ASSET_FILES: Readonly<Record<string, { file: string; contentType: string }>> = {
  '/': { file: 'index.html', contentType: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', contentType: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', contentType: 'text/css; charset=utf-8' },
  '/icon.svg': { file: 'icon.svg', contentType: 'image/svg+xml' },
};

/** Reads every known asset from `adapters/web/public/`. */
export async function loadAssets(directory: URL = new URL('./public/', import.meta.url)): Promise<Map<string, Asset>> {
  const assets = new Map<string, Asset>();
  for (const [path, { file, contentType }] of Object.entries(ASSET_FILES)) {
    const body = await readFile(new URL(file, directory));
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    assets.set(path, { body, contentType, etag });
  }
  return assets;
}
