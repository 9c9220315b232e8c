// Thumbnails and previews from real photos (../shared/fixtures): sizes, upright by pixels, colours,
// and named errors for damaged files and decompression bombs. Tests that need the fixtures skip when
// they are absent; the unit tests at the top need nothing.
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { deflateSync } from 'node:zlib'
import { after, before, describe, test } from 'node:test'
import sharp from 'sharp'
import type { Sharp } from 'sharp'
import { thumbHashToApproximateAspectRatio } from 'thumbhash'
import { ImageError, ImageTooLargeError } from './errors.ts'
import { mapToSrgb8 } from './hdr.ts'
import { createImageProcessor } from './image.ts'
import type { ImageProcessor } from './image.ts'
import { jxlDeclaredSize, readHead, readNclx, sniffFormat } from './image-format.ts'
import { createMetadataReader } from './metadata.ts'
import type { MetadataReader } from './metadata.ts'
import { rawToTiff } from './tiff.ts'
import { createWasmDecoder } from './wasm-decoder.ts'

const fixtures = resolve(import.meta.dirname, '../../../shared/fixtures')
const skip = existsSync(fixtures) ? false : `test photos not found at ${fixtures} (the shared fixtures sit beside the repository)`
const immich = (path: string) => join(fixtures, 'immich-test-assets', path)
const samples = (path: string) => join(fixtures, 'exif-samples', path)

/** A 32x32 greyscale rendering, to compare pictures while ignoring compression noise. */
const grey32 = async (image: Sharp) => image.resize(32, 32, { fit: 'fill' }).greyscale().raw().toBuffer()
const meanAbsoluteDifference = (a: Buffer, b: Buffer) => a.reduce((sum, value, i) => sum + Math.abs(value - b[i]), 0) / a.length

/** A PNG that declares `width` x `height` pixels but carries almost no data: a decompression bomb's header. */
function pngDeclaring (width: number, height: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    return c >>> 0
  })
  const crc = (bytes: Buffer) => {
    let c = 0xffffffff
    for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8)
    return (c ^ 0xffffffff) >>> 0
  }
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data])
    const out = Buffer.alloc(12 + data.length)
    out.writeUInt32BE(data.length, 0)
    body.copy(out, 4)
    out.writeUInt32BE(crc(body), 8 + data.length)
    return out
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header[8] = 8 // bit depth
  header[9] = 2 // RGB
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.alloc(1024))), chunk('IEND', Buffer.alloc(0))])
}

describe('image helpers', () => {
  test('pixels in Display P3 with their ICC profile come out as sRGB', async () => {
    // sRGB pure red is (234, 51, 34) in Display P3: with the profile attached it must turn back into red.
    const p3 = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 255, g: 0, b: 0 } } }).withIccProfile('p3').png().toBuffer()
    const icc = (await sharp(p3).metadata()).icc!
    const p3Pixels = await sharp(p3, { ignoreIcc: true }).raw().toBuffer()
    assert.deepEqual([...p3Pixels.subarray(0, 3)], [234, 51, 34])
    const asSrgb = await sharp(rawToTiff({ data: p3Pixels, width: 8, height: 8, channels: 3, icc })).raw().toBuffer()
    assert.ok(asSrgb[0] >= 253 && asSrgb[1] <= 2 && asSrgb[2] <= 2, `got ${[...asSrgb.subarray(0, 3)]}`)
    const withoutProfile = await sharp(rawToTiff({ data: p3Pixels, width: 8, height: 8, channels: 3 })).raw().toBuffer()
    assert.deepEqual([...withoutProfile.subarray(0, 3)], [234, 51, 34])
  })

  test('HDR: PQ reference white maps to sRGB white, brighter highlights are compressed rather than clipped hard', () => {
    // PQ code values (16-bit) for 203 cd/m² (reference white) and 1000 cd/m².
    const white = Math.round(0.58069 * 65535)
    const bright = Math.round(0.75183 * 65535)
    const dim = Math.round(0.37 * 65535)
    const out = mapToSrgb8(new Uint16Array([white, white, white, bright, dim, dim]), 3, { primaries: 1, transfer: 16, matrix: 1, fullRange: true })
    assert.ok(out[0] >= 235 && out[0] <= 250, `reference white became ${out[0]}`)
    assert.ok(out[3] >= 250, `1000 cd/m² became ${out[3]}`)
    assert.ok(out[4] < out[3] && out[4] > 0, 'a bright colour keeps its hue')
  })

  test('formats are recognised by their bytes', () => {
    assert.equal(sniffFormat(Buffer.from('\0\0\0\x18ftypheic\0\0\0\0mif1heic', 'latin1')), 'heif')
    assert.equal(sniffFormat(Buffer.from('\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf', 'latin1')), 'avif')
    assert.equal(sniffFormat(Buffer.from([0xff, 0x0a, 0xba, 0x21])), 'jxl')
    assert.equal(sniffFormat(Buffer.from([0xff, 0xd8, 0xff, 0xe0])), 'other')
  })
})

describe('thumbnails and previews of real files', { skip }, () => {
  let metadata: MetadataReader
  let images: ImageProcessor
  let scratch: string
  let count = 0
  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'hearth-image-'))
    metadata = createMetadataReader({ maxProcs: 2 })
    images = createImageProcessor({ metadata })
  })
  after(async () => {
    await images.close()
    await metadata.close()
    await rm(scratch, { recursive: true, force: true })
  })

  async function generate (path: string, mimeType: string, orientation?: number | null, processor = images) {
    const name = `${++count}`
    const out = { thumbnailPath: join(scratch, name, 'thumbnail.webp'), previewPath: join(scratch, name, 'preview.jpeg') }
    const result = await processor.generate({ path, mimeType, orientation }, out)
    const [thumbnail, preview] = await Promise.all([sharp(out.thumbnailPath).metadata(), sharp(out.previewPath).metadata()])
    return { result, out, thumbnail, preview }
  }

  const formats: Array<[file: string, mime: string, upright: [number, number], preview: [number, number], thumbnail: [number, number]]> = [
    ['immich-test-assets/formats/heic/IMG_2682.heic', 'image/heic', [4032, 3024], [1920, 1440], [333, 250]],
    ['exif-samples/heic/IMG_5195.HEIC', 'image/heic', [2566, 3313], [1440, 1859], [250, 323]],
    // Stored 4000x3000 with a 90° rotation in the HEIF container (and EXIF orientation 6 repeating it).
    ['immich-test-assets/formats/motionphoto/samsung-one-ui-6.heic', 'image/heic', [3000, 4000], [1440, 1920], [250, 333]],
    ['immich-test-assets/formats/avif/8bit-sRGB.avif', 'image/avif', [1617, 1080], [1617, 1080], [374, 250]],
    ['immich-test-assets/formats/avif/10bit-HDR-P3-nclx.avif', 'image/avif', [3681, 5594], [1440, 2188], [250, 380]],
    ['immich-test-assets/formats/jxl/8bit-sRGB.jxl', 'image/jxl', [1440, 1080], [1440, 1080], [333, 250]],
    ['immich-test-assets/formats/jxl/16bit-HDR-P3-nclx.jxl', 'image/jxl', [5667, 3685], [2215, 1440], [384, 250]],
    ['immich-test-assets/formats/png/density_plot.png', 'image/png', [800, 800], [800, 800], [250, 250]],
    ['immich-test-assets/formats/webp/denali.webp', 'image/webp', [600, 315], [600, 315], [476, 250]],
    ['immich-test-assets/formats/jpeg/el_torcal_rocks.jpeg', 'image/jpeg', [512, 341], [512, 341], [375, 250]],
    ['exif-samples/tiff/BSG1.tiff', 'image/tiff', [635, 348], [635, 348], [456, 250]],
    ['exif-samples/tiff/Arbitro.tiff', 'image/tiff', [174, 38], [174, 38], [174, 38]],
  ]
  for (const [file, mime, upright, previewSize, thumbnailSize] of formats) {
    test(`${file}: ${previewSize.join('x')} JPEG preview, ${thumbnailSize.join('x')} WebP thumbnail, no metadata kept`, async () => {
      const { result, thumbnail, preview } = await generate(join(fixtures, file), mime)
      assert.deepEqual([result.width, result.height], upright)
      assert.equal(preview.format, 'jpeg')
      assert.deepEqual([preview.width, preview.height], previewSize)
      assert.equal(thumbnail.format, 'webp')
      assert.deepEqual([thumbnail.width, thumbnail.height], thumbnailSize)
      for (const output of [preview, thumbnail]) {
        assert.equal(output.exif, undefined)
        assert.equal(output.icc, undefined)
      }
      assert.ok(result.thumbhash.length >= 5 && result.thumbhash.length <= 30)
      const aspect = thumbHashToApproximateAspectRatio(result.thumbhash)
      assert.ok(Math.abs(aspect / (upright[0] / upright[1]) - 1) < 0.5, `thumbhash aspect ${aspect}`)
    })
  }

  test('a GIF (made here: the fixtures have none) is never upscaled', async () => {
    const gif = join(scratch, 'small.gif')
    await sharp({ create: { width: 300, height: 200, channels: 3, background: '#3366cc' } }).gif().toFile(gif)
    const { thumbnail, preview } = await generate(gif, 'image/gif')
    assert.deepEqual([preview.width, preview.height], [300, 200])
    assert.deepEqual([thumbnail.width, thumbnail.height], [300, 200])
  })

  test('HDR and wide-gamut sources are mapped to 8-bit sRGB with full contrast, not washed out', async () => {
    const nclx = await readNclx(immich('formats/avif/10bit-HDR-P3-nclx.avif'))
    assert.deepEqual(nclx, { primaries: 12, transfer: 16, matrix: 6, fullRange: true })
    for (const file of ['formats/avif/10bit-HDR-P3-nclx.avif', 'formats/jxl/16bit-HDR-P3-nclx.jxl']) {
      const { out } = await generate(immich(file), file.endsWith('avif') ? 'image/avif' : 'image/jxl')
      const stats = await sharp(out.previewPath).stats()
      // Read as plain sRGB, the PQ AVIF tops out near 175 with little saturation.
      assert.ok(Math.max(...stats.channels.slice(0, 3).map((c) => c.max)) >= 240, `${file}: brightest value ${stats.channels.map((c) => c.max)}`)
      const { data } = await sharp(out.previewPath).resize(64, 64).raw().toBuffer({ resolveWithObject: true })
      let saturation = 0
      for (let i = 0; i < data.length; i += 3) {
        const max = Math.max(data[i], data[i + 1], data[i + 2])
        saturation += max === 0 ? 0 : (max - Math.min(data[i], data[i + 1], data[i + 2])) / max
      }
      assert.ok(saturation / (data.length / 3) > 0.3, `${file}: mean saturation ${saturation / (data.length / 3)}`)
    }
  })

  test("an iPhone HEIC's Display P3 profile comes out of the decoder with its pixels", async () => {
    const decoder = createWasmDecoder()
    try {
      const pixels = await decoder.decode(samples('heic/IMG_5195.HEIC'), 'heif', { pixelLimit: 1e8 })
      assert.deepEqual([pixels.width, pixels.height, pixels.channels], [2566, 3313, 3])
      assert.equal(pixels.data.length, 2566 * 3313 * 3)
      assert.equal(pixels.icc?.length, 548)
      assert.equal(Buffer.from(pixels.icc!).subarray(36, 40).toString('latin1'), 'acsp', 'an ICC profile')
      const described = await sharp(rawToTiff({ data: pixels.data.subarray(0, 2566 * 3 * 4), width: 2566, height: 4, channels: 3, icc: pixels.icc })).metadata()
      assert.equal(described.hasProfile, true)
    } finally {
      await decoder.close()
    }
  })

  test('the JPEG XL size is read from the header, before decoding', async () => {
    assert.deepEqual(jxlDeclaredSize(await readHead(immich('formats/jxl/8bit-sRGB.jxl'))), { width: 1440, height: 1080 })
    assert.deepEqual(jxlDeclaredSize(await readHead(immich('formats/jxl/16bit-HDR-P3-nclx.jxl'))), { width: 5667, height: 3685 })
  })

  for (const set of ['landscape', 'portrait']) {
    test(`all 8 EXIF orientations (${set}) give an upright preview, checked by pixels`, async () => {
      const reference = await generate(samples(`jpg/orientation/${set}_1.jpg`), 'image/jpeg', 1)
      const upright = await grey32(sharp(reference.out.previewPath))
      const upsideDown = await grey32(sharp(reference.out.previewPath).rotate(180))
      const mirrored = await grey32(sharp(reference.out.previewPath).flop())
      assert.ok(meanAbsoluteDifference(upright, upsideDown) > 25 && meanAbsoluteDifference(upright, mirrored) > 25, 'the reference picture must not look like itself turned')
      for (let orientation = 2; orientation <= 8; orientation++) {
        const path = samples(`jpg/orientation/${set}_${orientation}.jpg`)
        const { orientation: read } = await metadata.read(path)
        // The landscape set goes through the orientation metadata.ts read; the portrait set through the file's own tag.
        const { preview, out } = await generate(path, 'image/jpeg', set === 'landscape' ? read : undefined)
        assert.deepEqual([preview.width, preview.height], [reference.preview.width, reference.preview.height], `${set}_${orientation} size`)
        const pixels = await grey32(sharp(out.previewPath))
        const right = meanAbsoluteDifference(pixels, upright)
        const wrong = Math.min(meanAbsoluteDifference(pixels, upsideDown), meanAbsoluteDifference(pixels, mirrored))
        assert.ok(right < 8, `${set}_${orientation}: differs from upright by ${right}`)
        assert.ok(wrong > 20, `${set}_${orientation}: too close to a wrong turn (${wrong})`)
      }
    })
  }

  test("an orientation given by metadata overrides the file's own tag", async () => {
    // landscape_6 is stored 450x600 with orientation 6; told 1 (say, a sidecar says so), it stays as stored.
    const { preview, result } = await generate(samples('jpg/orientation/landscape_6.jpg'), 'image/jpeg', 1)
    assert.deepEqual([preview.width, preview.height], [450, 600])
    assert.deepEqual([result.width, result.height], [450, 600])
  })

  test('the EXIF orientation of a HEIC is not applied on top of its own rotation', async () => {
    // samsung-one-ui-6.heic: EXIF says 6 and the container rotates 90°: applying both would give landscape.
    const { preview } = await generate(immich('formats/motionphoto/samsung-one-ui-6.heic'), 'image/heic', 6)
    assert.deepEqual([preview.width, preview.height], [1440, 1920])
  })

  test('RAW: the embedded preview is used, turned by the RAW file\'s orientation', async () => {
    // No RAW files ship in the fixtures: DSCN0010.jpg carries a 160x120 EXIF thumbnail, which the RAW path
    // extracts as it would a NEF's JpgFromRaw or a CR3's PreviewImage. Real RAW files still need trying.
    const path = samples('jpg/gps/DSCN0010.jpg')
    const { result, preview } = await generate(path, 'image/x-nikon-nef', 6)
    assert.deepEqual([result.width, result.height], [120, 160])
    assert.deepEqual([preview.width, preview.height], [120, 160])
    const expected = await grey32(sharp(path).rotate(90))
    const got = await grey32(sharp(join(scratch, `${count}`, 'preview.jpeg')))
    assert.ok(meanAbsoluteDifference(expected, got) < 12, `preview differs from the photo turned 90° by ${meanAbsoluteDifference(expected, got)}`)
    const noPreview = join(scratch, 'plain.dng')
    await sharp({ create: { width: 64, height: 48, channels: 3, background: '#808080' } }).tiff().toFile(noPreview)
    await assert.rejects(generate(noPreview, 'image/x-adobe-dng', 1), (err: unknown) => err instanceof ImageError && /no embedded preview/.test(err.reason))
    const withoutReader = createImageProcessor()
    await assert.rejects(generate(path, 'image/x-nikon-nef', 1, withoutReader), ImageError)
    await withoutReader.close()
  })

  test('damaged files give an ImageError with a readable reason, and leave no files behind', async () => {
    const expectations: Array<[string, string, RegExp]> = [
      [samples('jpg/corrupted.jpg'), 'image/jpeg', /not a valid JPEG/],
      [join(scratch, 'missing.jpg'), 'image/jpeg', /does not exist/],
    ]
    const truncated = async (source: string, name: string, fraction: number) => {
      const bytes = await readFile(source)
      const path = join(scratch, name)
      await writeFile(path, bytes.subarray(0, Math.floor(bytes.length * fraction)))
      return path
    }
    expectations.push([await truncated(immich('albums/nature/prairie_falcon.jpg'), 'half.jpg', 0.4), 'image/jpeg', /truncated/])
    expectations.push([await truncated(samples('heic/IMG_5195.HEIC'), 'half.heic', 0.5), 'image/heic', /truncated/])
    expectations.push([await truncated(immich('formats/jxl/8bit-sRGB.jxl'), 'half.jxl', 0.5), 'image/jxl', /JPEG XL/])
    const text = join(scratch, 'notes.jpg')
    await writeFile(text, 'not a photo at all\n')
    expectations.push([text, 'image/jpeg', /not an image/])
    for (const [path, mime, reason] of expectations) {
      const out = join(scratch, 'failed')
      await assert.rejects(images.generate({ path, mimeType: mime }, { thumbnailPath: join(out, 't.webp'), previewPath: join(out, 'p.jpeg') }),
        (err: unknown) => err instanceof ImageError && reason.test(err.reason), `${path} should fail with ${reason}`)
      assert.deepEqual(existsSync(out) ? await readdir(out) : [], [], `${path} left files behind`)
    }
  })

  test('files with invalid EXIF still get thumbnails or a named error, never a hang or a crash', async () => {
    const folder = samples('jpg/invalid')
    for (const name of (await readdir(folder)).filter((file) => file.endsWith('.jpg'))) {
      try {
        await generate(join(folder, name), 'image/jpeg')
      } catch (err) {
        assert.ok(err instanceof ImageError, `${name}: ${String(err)}`)
      }
    }
  })

  test('decompression bombs are refused by the pixel limit, before decoding', async () => {
    const bomb = join(scratch, 'bomb.png')
    await writeFile(bomb, pngDeclaring(100_000, 100_000))
    await assert.rejects(generate(bomb, 'image/png'), (err: unknown) => err instanceof ImageTooLargeError && err.pixels === 1e10)
    const small = createImageProcessor({ pixelLimit: 1_000_000, metadata })
    try {
      for (const [file, mime] of [['exif-samples/heic/IMG_5195.HEIC', 'image/heic'], ['immich-test-assets/formats/jxl/8bit-sRGB.jxl', 'image/jxl'], ['immich-test-assets/albums/text/craft-beer.jpg', 'image/jpeg']]) {
        await assert.rejects(generate(join(fixtures, file), mime, null, small), ImageTooLargeError, file)
      }
    } finally {
      await small.close()
    }
  })

  test('a cancelled job stops with the signal\'s reason and writes nothing', async () => {
    const controller = new AbortController()
    const out = join(scratch, 'cancelled')
    const copy = join(scratch, 'big.jxl')
    await copyFile(immich('formats/jxl/16bit-HDR-P3-nclx.jxl'), copy)
    const pending = images.generate({ path: copy, mimeType: 'image/jxl' }, { thumbnailPath: join(out, 't.webp'), previewPath: join(out, 'p.jpeg') }, { signal: controller.signal })
    setTimeout(() => { controller.abort(new Error('shutting down')) }, 100)
    await assert.rejects(pending, /shutting down/)
    assert.equal(existsSync(out) ? (await readdir(out)).length : 0, 0)
  })
})
