import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MultipartError, multipartBoundary, parseMultipart } from '../../../adapters/web/multipart.ts';

/** Encodes a FormData exactly as fetch (undici) sends it, the way a browser does. */
async function encode(form: FormData): Promise<{ body: Buffer; boundary: string }> {
  const request = new Request('http://localhost/', { method: 'POST', body: form });
  const boundary = multipartBoundary(request.headers.get('content-type') ?? '');
  assert.ok(boundary);
  return { body: Buffer.from(await request.arrayBuffer()), boundary };
}

describe('multipart form reader', () => {
  it('reads the text fields and the picture a browser sends', async () => {
    const picture = Buffer.from([0xff, 0xd8, 0xff, 0x0d, 0x0a, 0x2d, 0x2d, 0x00, 0xd9]);
    const form = new FormData();
    form.set('text', 'make it sadder ☔\r\nplease');
    form.set('replyTo', 'rAbc');
    form.set('image', new Blob([picture], { type: 'image/jpeg' }), 'fotó "1".jpg');
    const { body, boundary } = await encode(form);
    const parsed = parseMultipart(body, boundary);
    assert.equal(parsed.fields.get('text'), 'make it sadder ☔\r\nplease');
    assert.equal(parsed.fields.get('replyTo'), 'rAbc');
    const [file] = parsed.files.get('image') ?? [];
    assert.deepEqual(file?.bytes, picture);
    assert.equal(file?.type, 'image/jpeg');
    assert.match(file?.name ?? '', /^fot/);
  });

  it('reads the empty file input a browser sends when no photo is chosen', () => {
    const boundary = '----WebKitFormBoundaryx1';
    const body = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="text"\r\n\r\nhello\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename=""\r\nContent-Type: application/octet-stream\r\n\r\n\r\n` +
        `--${boundary}--\r\n`,
    );
    const parsed = parseMultipart(body, boundary);
    assert.equal(parsed.fields.get('text'), 'hello');
    assert.equal(parsed.files.get('image')?.[0]?.bytes.length, 0);
  });

  it('finds the boundary in quoted and unquoted content types', () => {
    assert.equal(multipartBoundary('multipart/form-data; boundary=abc123'), 'abc123');
    assert.equal(multipartBoundary('multipart/form-data; charset=utf-8; boundary="a b:c"'), 'a b:c');
    assert.equal(multipartBoundary('application/json'), undefined);
    assert.equal(multipartBoundary('multipart/form-data'), undefined);
  });

  it('refuses truncated bodies, too many parts and parts without a name', async () => {
    const form = new FormData();
    for (let i = 0; i < 3; i += 1) form.append(`f${i}`, 'x');
    const { body, boundary } = await encode(form);
    assert.throws(() => parseMultipart(body.subarray(0, body.length - 10), boundary), MultipartError);
    assert.throws(() => parseMultipart(body, boundary, { maxParts: 2 }), MultipartError);
    assert.throws(() => parseMultipart(Buffer.from('hello'), boundary), MultipartError);
    const nameless = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data\r\n\r\nx\r\n--${boundary}--\r\n`);
    assert.throws(() => parseMultipart(nameless, boundary), MultipartError);
    const long = new FormData();
    long.set('text', 'y'.repeat(100));
    const encoded = await encode(long);
    assert.throws(() => parseMultipart(encoded.body, encoded.boundary, { maxFieldBytes: 50 }), MultipartError);
  });
});
