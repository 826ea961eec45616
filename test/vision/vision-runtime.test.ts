import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VisionRuntime } from '../../src/vision/vision-runtime.ts';
import { acceptedFaces, gateFaces } from '../../src/vision/face-gate.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/images/${name}`, import.meta.url));

function recordingLogger() {
  const lines: { fields: Record<string, unknown>; message: string }[] = [];
  return {
    lines,
    logger: {
      warn: (fields: object, message: string) =>
        void lines.push({ fields: fields as Record<string, unknown>, message }),
      info: () => {},
    },
  };
}

describe('vision runtime (real face-api and selfie models on tfjs-wasm, in a worker thread)', () => {
  const vision = new VisionRuntime();
  after(() => vision.close());

  it("reads the astronaut's one face: box, 68 landmarks, a happy expression, an identity descriptor, inside the person mask", async () => {
    const analysis = await vision.analyse(fixture('astronaut.png'));
    assert.equal(analysis.width, 512);
    const faces = acceptedFaces(gateFaces(analysis.faces, analysis));
    assert.equal(faces.length, 1);
    const face = faces[0]!.face;
    assert.equal(face.landmarks.length, 68);
    assert.equal(face.descriptor.length, 128);
    assert.ok(face.expressions.happy > 0.9, `happy ${face.expressions.happy}`);
    assert.ok(face.box.x > 150 && face.box.x < 220, `box x ${face.box.x}`);
    assert.ok(analysis.personMask && analysis.personMask.alpha.length === 256 * 256);
  });

  it('finds both faces of the couple toasting, in picture coordinates', async () => {
    const analysis = await vision.analyse(fixture('group-couple-toast.jpg'));
    const faces = acceptedFaces(gateFaces(analysis.faces, analysis));
    assert.equal(faces.length, 2);
    for (const { face } of faces) assert.ok(face.box.x + face.box.width <= 800 && face.box.y + face.box.height <= 600);
  });

  it('refuses the "face" the detector finds on a cat, and finds none on the dog', async () => {
    const cat = await vision.analyse(fixture('chelsea.png'));
    assert.ok(
      cat.faces.length >= 1,
      'the detector is expected to fire on the cat; if it no longer does, this test needs a new decoy',
    );
    const gated = gateFaces(cat.faces, cat);
    assert.deepEqual(acceptedFaces(gated), []);
    assert.match(gated[0]!.refusal!, /landmarks|picture/);
    const dog = await vision.analyse(fixture('animal-dog.jpg'));
    assert.deepEqual(acceptedFaces(gateFaces(dog.faces, dog)), []);
  });

  it('leaves a face in profile alone rather than calling it frontal', async () => {
    const analysis = await vision.analyse(fixture('portrait-cameraman-gray.png'));
    assert.deepEqual(acceptedFaces(gateFaces(analysis.faces, analysis)), []);
  });

  it('shares one analysis of the same picture between callers', async () => {
    const bytes = fixture('astronaut.png');
    assert.equal(vision.analyse(bytes), vision.analyse(Buffer.from(bytes)));
  });
});

describe('vision runtime fallback', () => {
  it('answers undefined and logs why when the models cannot be loaded, and stays off for a while', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-models-'));
    const { lines, logger } = recordingLogger();
    const vision = new VisionRuntime({ paths: { faceApiModels: empty, humanModels: empty }, logger });
    try {
      assert.equal(await vision.tryAnalyse(fixture('astronaut.png'), 'the test edit'), undefined);
      assert.equal(lines.length, 1);
      assert.match(String(lines[0]!.fields.reason), /failed to load/);
      assert.match(lines[0]!.message, /the test edit goes on without them/);
      assert.match(vision.unavailableReason ?? '', /failed to load/);
      assert.equal(await vision.tryAnalyse(fixture('coffee.png'), 'the test edit'), undefined);
    } finally {
      await vision.close();
    }
  });

  it('stops a call that overruns its time limit and says so', async () => {
    const { lines, logger } = recordingLogger();
    const vision = new VisionRuntime({ callTimeoutMs: 1, loadTimeoutMs: 0, logger });
    try {
      assert.equal(await vision.tryAnalyse(fixture('astronaut.png'), 'the test edit'), undefined);
      assert.match(String(lines[0]!.fields.reason), /took longer than 1 ms/);
    } finally {
      await vision.close();
    }
  });

  it('does nothing at all when switched off', async () => {
    const { lines, logger } = recordingLogger();
    const vision = new VisionRuntime({ enabled: false, logger });
    assert.equal(await vision.tryAnalyse(fixture('astronaut.png'), 'the test edit'), undefined);
    assert.equal(lines.length, 0);
  });
});
