import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import sharp from 'sharp'
import { colours, generateClipModels } from '../../../test/helpers/clip-models.ts'
import { createModelRuntime } from '../runtime.ts'
import { createClipEncoder, dot } from './encoder.ts'
import { clipInput, CLIP_MEAN, CLIP_STD } from './pixels.ts'
import { loadClipTokenizer } from './tokenizer.ts'

const dir = await mkdtemp(join(tmpdir(), 'hearth-clip-'))
const runtime = createModelRuntime({ provider: 'cpu', threads: 1, idleMs: 60_000 })
after(async () => { await runtime.close(); await rm(dir, { recursive: true, force: true }) })
const tokenizer = await loadClipTokenizer()

const solid = (rgb: readonly number[], width = 320, height = 240) =>
  sharp({ create: { width, height, channels: 3, background: { r: rgb[0]!, g: rgb[1]!, b: rgb[2]! } } }).jpeg({ quality: 95 }).toBuffer()

/** A 2:1 picture: blue on the left, green on the right, red in the middle (a little wider than the centre square). */
async function bands (): Promise<Buffer> {
  const w = 896; const h = 448
  const raw = Buffer.alloc(w * h * 3)
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const rgb = x < (3 * w) / 16 ? colours.blue! : x < (13 * w) / 16 ? colours.red! : colours.green!
      raw.set(rgb, (y * w + x) * 3)
    }
  }
  return sharp(raw, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer()
}

test('preprocessing: shortest side to 224, centre crop, CLIP mean/std, planar RGB', async () => {
  const chw = await clipInput(await bands())
  assert.equal(chw.length, 3 * 224 * 224)
  // The centre crop keeps only the red middle of the 2:1 picture: every pixel is red, even the corners.
  const plane = 224 * 224
  for (const i of [0, 223, plane - 224, plane - 1, 112 * 224 + 112]) {
    assert.ok(Math.abs(chw[i]! - (1 - CLIP_MEAN[0]) / CLIP_STD[0]) < 0.02, `R at ${i}`)
    assert.ok(Math.abs(chw[plane + i]! - (0 - CLIP_MEAN[1]) / CLIP_STD[1]) < 0.02, `G at ${i}`)
    assert.ok(Math.abs(chw[2 * plane + i]! - (0 - CLIP_MEAN[2]) / CLIP_STD[2]) < 0.02, `B at ${i}`)
  }
})

for (const variant of [{ textInput: 'int32', batch: 'dynamic' }, { textInput: 'int64', batch: 1 }] as const) {
  test(`a generated CLIP pair (text ${variant.textInput}, batch ${variant.batch}) ranks the image built to match first`, async () => {
    const models = await generateClipModels(join(dir, `${variant.textInput}-${variant.batch}`), tokenizer, variant)
    const clip = createClipEncoder({ runtime, ...models, tokenizer, batchSize: 4 })
    const names = ['red', 'green', 'blue', 'yellow', 'purple', 'orange'] as const
    const images: Buffer[] = await Promise.all(names.map((n) => solid(colours[n]!)))
    images.push(await bands()) // centre-cropped to red
    images.push(await readFile(join(import.meta.dirname, '../../../test/fixtures/tree/Beach/sea.jpg'))) // a real photo goes through too
    const embeddings = await clip.encodeImages(images)
    assert.equal(embeddings.length, images.length)
    for (const e of embeddings) {
      assert.equal(e.length, 512)
      assert.ok(Math.abs(dot(e, e) - 1) < 1e-5, 'L2-normalised')
    }
    const queries = ['a red car', 'GREEN grass', 'the blue sea', 'a yellow flower', 'purple', 'an orange sunset']
    const texts = await clip.encodeTexts(queries)
    for (const [q, t] of texts.entries()) {
      assert.equal(t.length, 512)
      const scores = embeddings.slice(0, names.length).map((e) => dot(e, t))
      const best = scores.indexOf(Math.max(...scores))
      assert.equal(names[best], names[q], `"${queries[q]}" should find the ${names[q]} picture first; scores ${scores.map((s) => s.toFixed(3)).join(' ')}`)
      assert.ok(scores[best]! > 0.99)
    }
    // The banded picture is red after the centre crop: "red" matches it almost exactly.
    assert.ok(dot(embeddings[names.length]!, texts[0]!) > 0.99)
    // A text without colour words has no direction: the encoder says so rather than return NaNs.
    await assert.rejects(clip.encodeTexts(['a photo']), /zero or invalid length/)
  })
}

test('a missing model file fails the call with a clear error', async () => {
  const clip = createClipEncoder({ runtime, visualPath: join(dir, 'nope.onnx'), textualPath: join(dir, 'nope2.onnx'), tokenizer })
  await assert.rejects(clip.encodeTexts(['red']), /missing/)
})
