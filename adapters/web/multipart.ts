/**
 * @module A strict reader for the one `multipart/form-data` shape the page sends: a few short
 * text fields and at most a few files. It works on the whole body (already capped by Hono's
 * `bodyLimit`) with `Buffer.indexOf`, which is an order of magnitude faster than the generic
 * `Request.formData()` of Node 20 for a picture-sized body, and refuses anything unusual
 * (too many parts, long headers, missing names) instead of guessing.
 */

export interface MultipartFile {
  /** The file name the browser sent, if any. */
  name: string;
  /** The declared MIME type (not trusted: the engine checks the bytes). */
  type: string;
  bytes: Buffer;
}

export interface MultipartForm {
  fields: Map<string, string>;
  files: Map<string, MultipartFile[]>;
}

export interface MultipartLimits {
  /** Most parts accepted. @defaultValue 8 */
  maxParts?: number;
  /** Longest text field in bytes. @defaultValue 16 384 */
  maxFieldBytes?: number;
}

/** The body is not a form this reader accepts; the message is for the log. */
export class MultipartError extends Error {
  override readonly name = 'MultipartError';
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
const MAX_HEADER_BYTES = 1024;

/** The boundary of a `multipart/form-data` content type, or undefined. */
export function multipartBoundary(contentType: string): string | undefined {
  const match = /^multipart\/form-data\s*;(?:.*;)?\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

export function parseMultipart(body: Buffer, boundary: string, limits: MultipartLimits = {}): MultipartForm {
  const maxParts = limits.maxParts ?? 8;
  const maxFieldBytes = limits.maxFieldBytes ?? 16 * 1024;
  const delimiter = Buffer.from(`--${boundary}`);
  const between = Buffer.from(`\r\n--${boundary}`);
  const form: MultipartForm = { fields: new Map(), files: new Map() };

  let position = body.indexOf(delimiter);
  if (position !== 0 && (position < 2 || !body.subarray(position - 2, position).equals(CRLF))) {
    throw new MultipartError('the body does not start with the boundary');
  }
  position += delimiter.length;
  for (let parts = 0; ; parts += 1) {
    if (body[position] === 0x2d && body[position + 1] === 0x2d) return form; // "--": the closing delimiter
    if (!body.subarray(position, position + 2).equals(CRLF))
      throw new MultipartError('a boundary is not followed by a line break');
    if (parts >= maxParts) throw new MultipartError(`more than ${maxParts} parts`);
    const headersStart = position + 2;
    const headersEnd = body.indexOf(HEADER_END, headersStart);
    if (headersEnd < 0 || headersEnd - headersStart > MAX_HEADER_BYTES)
      throw new MultipartError('part headers are missing or too long');
    const headers = parseHeaders(body.toString('latin1', headersStart, headersEnd));
    const contentStart = headersEnd + HEADER_END.length;
    const contentEnd = body.indexOf(between, contentStart);
    if (contentEnd < 0) throw new MultipartError('the body ends inside a part');
    const content = body.subarray(contentStart, contentEnd);
    if (headers.filename !== undefined) {
      const list = form.files.get(headers.name) ?? [];
      list.push({ name: headers.filename, type: headers.type, bytes: Buffer.from(content) });
      form.files.set(headers.name, list);
    } else {
      if (content.length > maxFieldBytes)
        throw new MultipartError(`field ${headers.name} is longer than ${maxFieldBytes} bytes`);
      if (!form.fields.has(headers.name)) form.fields.set(headers.name, content.toString('utf8'));
    }
    position = contentEnd + between.length;
  }
}

function parseHeaders(block: string): { name: string; filename?: string; type: string } {
  let disposition: string | undefined;
  let type = '';
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon < 1) throw new MultipartError('a part header has no name');
    const header = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (header === 'content-disposition') disposition = value;
    else if (header === 'content-type') type = value.toLowerCase();
  }
  if (!disposition || !/^form-data\s*(;|$)/i.test(disposition)) throw new MultipartError('a part is not form-data');
  const name = parameter(disposition, 'name');
  if (!name) throw new MultipartError('a part has no name');
  // Browsers send the file name as UTF-8 bytes inside the quotes; we read headers as latin1.
  const filename = parameter(disposition, 'filename');
  const result: { name: string; filename?: string; type: string } = { name, type };
  if (filename !== undefined) result.filename = Buffer.from(filename, 'latin1').toString('utf8');
  return result;
}

function parameter(header: string, key: string): string | undefined {
  const match =
    new RegExp(`;\\s*${key}="((?:[^"\\\\]|\\\\.)*)"`, 'i').exec(header) ??
    new RegExp(`;\\s*${key}=([^;\\s"]+)`, 'i').exec(header);
  return match?.[1]?.replace(/\\(.)/g, '$1');
}
