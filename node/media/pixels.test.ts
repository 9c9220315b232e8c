// The ML code's decode (decodeUpright): EXIF orientation applied, previews read at their own size,
// larger images scaled to the pixel budget, and bytes that are not an image refused.
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { describe, test } from 'node:test'
import sharp from 'sharp'
import { decodeUpright, ML_MAX_PIXELS } from './pixels.ts'

const fixtures = resolve(import.meta.dirname, '../../../shared/fixtures/immich-test-assets')
const skip = existsSync(fixtures) ? false : `test photos not found at ${fixtures} (the shared fixtures sit beside the repository)`
const faces = (name: string) => join(fixtures, 'metadata/faces', name)

/** Mean absolute difference of two RGB images of one size. */
function difference (a: Uint8Array, b: Uint8Array): number {
  assert.equal(a.length, b.length)
  let sum = 0
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!)
  return sum / a.length
}

describe('decodeUpright', { skip }, () => {
  test('a photo tagged orientation 6 comes out turned, with the pixels of its upright twin', async () => {
    const upright = await decodeUpright(faces('portrait.jpg'))
    const turned = await decodeUpright(await readFile(faces('portrait-orientation-6.jpg')))
    assert.deepEqual([upright.width, upright.height, upright.image.width, upright.image.height], [840, 700, 840, 700])
    assert.deepEqual([turned.width, turned.height, turned.image.width, turned.image.height], [840, 700, 840, 700])
    assert.ok(difference(upright.image.data, turned.image.data) < 4, 'the turned decode matches the upright photo')
  })

  test('a 3:2 preview (2160x1440) is read at its own size, pixel for pixel as a plain decode', async () => {
    const preview = await sharp(faces('portrait.jpg')).resize(2160, 1440, { fit: 'fill' }).jpeg({ quality: 80 }).toBuffer()
    const { image } = await decodeUpright(preview)
    const plain = await sharp(preview).raw().toBuffer()
    assert.deepEqual([image.width, image.height], [2160, 1440])
    assert.equal(difference(image.data, plain), 0)
  })

  test('an image over the pixel budget is scaled down to it, keeping its aspect; its own size is reported', async () => {
    const big = await sharp(faces('portrait.jpg')).resize(4000, 3000, { fit: 'fill' }).jpeg().toBuffer()
    const { image, width, height } = await decodeUpright(big)
    assert.deepEqual([width, height], [4000, 3000])
    assert.ok(image.width * image.height <= ML_MAX_PIXELS, `${image.width}x${image.height} is within the budget`)
    assert.ok(image.width * image.height > ML_MAX_PIXELS * 0.99, `${image.width}x${image.height} uses the budget`)
    assert.ok(Math.abs(image.width / image.height - 4 / 3) < 0.01)
    const small = await decodeUpright(big, { maxPixels: 1 })
    assert.deepEqual([small.image.width, small.image.height, small.image.data.length], [1, 1, 3])
  })

  test('bytes that are not an image, or a truncated JPEG, are refused', async () => {
    await assert.rejects(decodeUpright(Buffer.from('not an image at all')))
    const jpeg = await readFile(faces('portrait.jpg'))
    await assert.rejects(decodeUpright(jpeg.subarray(0, jpeg.length / 2)))
  })
})
