import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { litePack } from '../../../test/helpers/models.ts'
import { createPixelReader, type RgbImage } from '../../media/pixels.ts'
import { ImageError } from '../../media/errors.ts'
import { loadManifest, modelFile } from '../models.ts'
import { createModelRuntime, type ModelRuntime } from '../runtime.ts'
import { convexHull, minAreaRect, orderCorners, readingOrder, rectCorners, regions, unclip, type Quad } from './geometry.ts'
import { dbPostprocess, defaultDetectorOptions, detectorSize } from './detect.ts'
import { cropGeometry, ctcDecode, parseDictionary } from './recognize.ts'
import { createOcrEngine, type OcrEngine } from './engine.ts'

const fixtures = fileURLToPath(new URL('../../../../shared/fixtures/', import.meta.url))
const textAlbum = `${fixtures}immich-test-assets/albums/text/`

describe('OCR geometry and decoding', () => {
  test('the minimum-area rectangle of a rotated rectangle is that rectangle', () => {
    const angle = 0.35
    const pts: Array<[number, number]> = []
    for (let u = 0; u <= 100; u += 5) for (let v = 0; v <= 20; v += 5) pts.push([50 + u * Math.cos(angle) - v * Math.sin(angle), 40 + u * Math.sin(angle) + v * Math.cos(angle)])
    const r = minAreaRect(convexHull(pts))
    assert.ok(Math.abs(Math.max(r.w, r.h) - 100) < 1e-6 && Math.abs(Math.min(r.w, r.h) - 20) < 1e-6, JSON.stringify(r))
    const grown = unclip(r, 1.5)
    // DB's unclip: area * ratio / perimeter on every side = 100*20*1.5/240 = 12.5.
    assert.ok(Math.abs(Math.min(grown.w, grown.h) - 45) < 1e-6)
    const [tl, tr, br, bl] = rectCorners(r)
    assert.ok(tl[0] < tr[0] && bl[0] < br[0] && tl[1] < bl[1] && tr[1] < br[1])
  })

  test('corners are ordered top-left, top-right, bottom-right, bottom-left', () => {
    assert.deepEqual(orderCorners([[10, 10], [0, 10], [10, 0], [0, 0]]), [[0, 0], [10, 0], [10, 10], [0, 10]])
  })

  test('8-connected regions, and DB boxes scaled to the destination with the unclip margin', () => {
    const w = 64; const h = 32
    const prob = new Float32Array(w * h)
    // Two "text kernels": a bar of 30x6 at (4,4) and a diagonal touching chain (one 8-connected region) far away.
    for (let y = 4; y < 10; y++) for (let x = 4; x < 34; x++) prob[y * w + x] = 0.9
    for (let i = 0; i < 8; i++) prob[(20 + i) * w + 40 + i] = 0.9
    const mask = Uint8Array.from(prob, (p) => p > 0.3 ? 1 : 0)
    assert.equal(regions(mask, w, h).length, 2)
    const boxes = dbPostprocess(prob, w, h, w * 2, h * 2, defaultDetectorOptions)
    assert.equal(boxes.length, 1, 'the thin diagonal is below the minimum size')
    const [tl, tr, , bl] = boxes[0]!.box
    // Pixel centres 4..33 x 4..9: 29 x 5, unclipped by 29*5*1.5/68 = 3.2 each side, then doubled.
    assert.ok(Math.abs((tr[0] - tl[0]) - 2 * 35.4) <= 2, JSON.stringify(boxes[0]))
    assert.ok(Math.abs((bl[1] - tl[1]) - 2 * 11.4) <= 2, JSON.stringify(boxes[0]))
    assert.ok(boxes[0]!.score > 0.85)
  })

  test('the detector input keeps the longest side at most 960, both sides multiples of 32', () => {
    assert.deepEqual(detectorSize(2160, 1440, defaultDetectorOptions), { width: 960, height: 640 })
    assert.deepEqual(detectorSize(1440, 1920, defaultDetectorOptions), { width: 736, height: 960 })
    assert.deepEqual(detectorSize(100, 50, defaultDetectorOptions), { width: 96, height: 64 })
  })

  test('tall boxes are read turned a quarter anticlockwise', () => {
    const box: Quad = [[0, 0], [10, 0], [10, 40], [0, 40]]
    const g = cropGeometry(box)
    assert.equal(g.width, 40); assert.equal(g.height, 10)
    assert.deepEqual(g.corners[0], [10, 0])
  })

  test('reading order: top to bottom, left to right within a line', () => {
    const at = (x: number, y: number) => ({ box: [[x, y], [x + 5, y], [x + 5, y + 5], [x, y + 5]] as Quad })
    assert.deepEqual(readingOrder([at(50, 3), at(0, 40), at(0, 0)]).map((b) => b.box[0]), [[0, 0], [50, 3], [0, 40]])
  })

  test('CTC greedy decoding collapses repeats and drops blanks', () => {
    const chars = ['', 'a', 'b', ' ']
    const seq = [1, 1, 0, 1, 2, 2, 0, 3, 0]
    const probs = new Float32Array(seq.length * 4)
    seq.forEach((c, t) => { probs.fill(0.1 / 3, t * 4, t * 4 + 4); probs[t * 4 + c] = 0.9 })
    const out = ctcDecode(probs, 0, seq.length, 4, chars)
    assert.equal(out.text, 'aab ')
    assert.ok(Math.abs(out.score - 0.9) < 1e-6)
  })
})

/** Case-, accent- and space-insensitive; `errors` edits allowed (approximate substring match). */
function finds (lines: string[], word: string, errors = Math.floor(word.replace(/\s/g, '').length / 8)): boolean {
  const norm = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').replace(/ı/g, 'i').toLowerCase().replace(/\s+/g, '')
  const w = norm(word)
  return lines.some((line) => {
    const t = norm(line)
    let prev = new Array<number>(t.length + 1).fill(0)
    for (let i = 1; i <= w.length; i++) {
      const cur = [i]
      for (let j = 1; j <= t.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (w[i - 1] === t[j - 1] ? 0 : 1))
      prev = cur
    }
    return Math.min(...prev) <= errors
  })
}

describe('OCR on real photos with the lite pack', { skip: existsSync(textAlbum) ? false : 'needs ../shared/fixtures (immich-test-assets)' }, () => {
  let runtime: ModelRuntime
  let engine: OcrEngine
  const pixels = createPixelReader()
  /** As the ingest's preview: the short side 1440 px. */
  const preview = async (path: string): Promise<RgbImage> => {
    const img = await pixels.read(path)
    const scale = Math.min(1, 1440 / Math.min(img.width, img.height))
    return pixels.resize(img, Math.round(img.width * scale), Math.round(img.height * scale))
  }
  before(async () => {
    const dir = await litePack()
    const manifest = await loadManifest()
    runtime = createModelRuntime({ provider: 'cpu', threads: 0, idleMs: 60_000 })
    engine = createOcrEngine({ runtime, pixels, manifest, path: (m) => modelFile(dir, manifest, 'lite', m) })
  })
  after(async () => { await runtime.close() })

  test('the dictionary and the recognizer agree: 6623 characters, a blank and a space', async () => {
    const chars = parseDictionary(await readFile(modelFile(await litePack(), await loadManifest(), 'lite', 'ocr-dictionary'), 'utf8'))
    assert.equal(chars.length, 6625)
    assert.equal(chars[0], ''); assert.equal(chars.at(-1), ' ')
  })

  // Words checked by eye on each photo: clearly legible, printed or neatly written.
  const expected: Record<string, string[]> = {
    'craft-beer.jpg': ['MAIN STAY', 'BARREL AGED', 'WEEKEND WARRIOR', 'HOPADILLO', 'RODEO CLOWN', 'Mother-in-Lager', 'Session IPA', 'F.U.N.', 'B.B.H.'],
    'book-beside-flowers.jpg': ['dost.', 'A. Ali Ural', 'Posta Kutusundaki', 'yedek kalplere verilen isim', 'karambolde tekmeliyor', 'Sevgili Dost'],
    'handwritten-notes.jpg': ['IMPORTANT', 'REMEMBER THIS', 'TO DO', 'complete', 'find', 'feedback'],
    'japanese-shop.jpg': ['一番'],
  }
  for (const [file, words] of Object.entries(expected)) {
    test(`reads ${file}: ${words.join(', ')}`, async () => {
      const result = await engine.readImage(await preview(textAlbum + file))
      const texts = result.lines.map((l) => l.text)
      const missing = words.filter((w) => !finds(texts, w))
      assert.deepEqual(missing, [], `not found in: ${JSON.stringify(texts)}`)
      for (const l of result.lines) {
        assert.ok(l.textScore >= 0.5 && l.textScore <= 1 && l.boxScore >= 0.6 && l.boxScore <= 1)
        for (const [x, y] of l.box) assert.ok(x >= 0 && x < result.width && y >= 0 && y < result.height)
      }
    })
  }

  test('a photo without text yields no lines', async () => {
    const result = await engine.readImage(await preview(`${fixtures}immich-test-assets/albums/nature/prairie_falcon.jpg`))
    assert.deepEqual(result.lines, [])
  })

  test('a corrupt file is an ImageError, and the engine keeps working', async () => {
    await assert.rejects(engine.read(`${fixtures}exif-samples/jpg/corrupted.jpg`), ImageError)
    const ok = await engine.readImage(await preview(textAlbum + 'handwritten-notes.jpg'))
    assert.ok(ok.lines.length > 5)
  })
})
