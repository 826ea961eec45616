/**
 * @module A small multipart/form-data parser for the fake Bot API server. It accepts what
 * real clients send: quoted or bare `name` and `filename` values, header names in any case,
 * and CRLF line ends (grammY writes `content-disposition:form-data;name="x";filename=y`).
 */

/** One uploaded file of a multipart body. */
export interface UploadedFile {
  filename: string;
  contentType: string;
  bytes: Buffer;
}

export interface MultipartBody {
  fields: Record<string, string>;
  files: Record<string, UploadedFile>;
}

/** The boundary of a `multipart/form-data; boundary=…` content type, or undefined. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data/i.test(contentType)) return undefined;
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

/** Splits a multipart body into its text fields and its files. Throws on a malformed body. */
export function parseMultipart(body: Buffer, boundary: string): MultipartBody {
  const fields: Record<string, string> = {};
  const files: Record<string, UploadedFile> = {};
  const delimiter = Buffer.from(`--${boundary}`);
  let position = body.indexOf(delimiter);
  if (position < 0) throw new Error('multipart body without its boundary');
  for (;;) {
    position += delimiter.length;
    // `--` right after a delimiter closes the body.
    if (body[position] === 0x2d && body[position + 1] === 0x2d) break;
    if (body[position] === 0x0d && body[position + 1] === 0x0a) position += 2;
    const next = body.indexOf(delimiter, position);
    if (next < 0) throw new Error('multipart body is not closed');
    // The part ends with CRLF before the next delimiter.
    const partEnd = body[next - 2] === 0x0d && body[next - 1] === 0x0a ? next - 2 : next;
    const part = body.subarray(position, partEnd);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd < 0) throw new Error('multipart part without headers');
    const headers = parseHeaders(part.subarray(0, headerEnd).toString('utf8'));
    const content = part.subarray(headerEnd + 4);
    const disposition = headers['content-disposition'] ?? '';
    const name = dispositionValue(disposition, 'name');
    if (!name) throw new Error('multipart part without a name');
    const filename = dispositionValue(disposition, 'filename');
    if (filename !== undefined) {
      files[name] = {
        filename,
        contentType: headers['content-type'] ?? 'application/octet-stream',
        bytes: Buffer.from(content),
      };
    } else {
      fields[name] = content.toString('utf8');
    }
    position = next;
  }
  return { fields, files };
}

function parseHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

function dispositionValue(disposition: string, key: string): string | undefined {
  const pattern = new RegExp(`(?:^|;)\\s*${key}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;]*))`, 'i');
  const match = pattern.exec(disposition);
  if (!match) return undefined;
  // Browsers and undici write `"` as %22 and line breaks as %0D%0A (the HTML form encoding); others escape with `\`.
  return match[1] !== undefined
    ? match[1].replace(/\\(.)/g, '$1').replace(/%22/g, '"').replace(/%0D/gi, '\r').replace(/%0A/gi, '\n')
    : match[2]!.trim();
}
