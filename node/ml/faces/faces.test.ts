import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import sharp from 'sharp'
import { litePack } from '../../../test/helpers/models.ts'
import { loadManifest, modelFile } from '../models.ts'
import { createModelRuntime, type ModelRuntime } from '../runtime.ts'
import { applyAffine, arcfaceTemplate4, invertAffine, similarityTransform, warpAffine } from './align.ts'
import { anchors16, anchors8, decodeHead, weightedNms, type BlazeDetection } from './blazeface.ts'
import { mergeDetections, views } from './detector.ts'
import { cosineDistance, createFaceAnalyzer, type FaceAnalyzer } from './analyzer.ts'
import { decodeRgb } from './pixels.ts'
import type { Box, Face, RgbImage } from './types.ts'

const fixtures = fileURLToPath(new URL('../../../../shared/fixtures/', import.meta.url))
const facesDir = `${fixtures}immich-test-assets/metadata/faces/`
const craftBeer = `${fixtures}immich-test-assets/albums/text/craft-beer.jpg`
const haveFixtures = existsSync(`${facesDir}portrait.jpg`) && existsSync(craftBeer)
const skipFixtures = haveFixtures ? false : 'needs ../shared/fixtures (immich-test-assets)'

describe('face geometry and decoding', () => {
  test('BlazeFace back-256 anchors: 16x16 cells x 2 and 8x8 cells x 6, at cell centres', () => {
    assert.equal(anchors16.length, 512)
    assert.equal(anchors8.length, 384)
    assert.deepEqual(anchors16[0], { x: 0.5 / 16, y: 0.5 / 16 })
    assert.deepEqual(anchors16[1], anchors16[0])
    assert.deepEqual(anchors16[2], { x: 1.5 / 16, y: 0.5 / 16 })
    assert.deepEqual(anchors8[6], { x: 1.5 / 8, y: 0.5 / 8 })
    assert.deepEqual(anchors8[383], { x: 7.5 / 8, y: 7.5 / 8 })
  })

  test('a head decodes offsets in input pixels around its anchor, sigmoid scores, threshold', () => {
    const scores = new Float32Array(512).fill(-10)
    const boxes = new Float32Array(512 * 16)
    scores[34] = 2 // cell (1, 1), first anchor: centre (1.5/16, 1.5/16)
    boxes.set([16, -8, 64, 32, 4, 0, -4, 0, 0, 0, 0, 8, 0, 0, 0, 0], 34 * 16)
    const [d, ...rest] = decodeHead(scores, boxes, anchors16, 0.5)
    assert.equal(rest.length, 0)
    assert.ok(Math.abs(d!.score - 1 / (1 + Math.exp(-2))) < 1e-6)
    assert.ok(Math.abs(d!.cx - (1.5 / 16 + 16 / 256)) < 1e-6 && Math.abs(d!.cy - (1.5 / 16 - 8 / 256)) < 1e-6)
    assert.ok(Math.abs(d!.w - 0.25) < 1e-6 && Math.abs(d!.h - 0.125) < 1e-6)
    assert.ok(Math.abs(d!.keypoints[0]!.x - (1.5 / 16 + 4 / 256)) < 1e-6)
    assert.ok(Math.abs(d!.keypoints[3]!.y - (1.5 / 16 + 8 / 256)) < 1e-6)
    assert.throws(() => decodeHead(scores, boxes.subarray(16), anchors16, 0.5), /expected 512 scores/)
  })

  test('weighted NMS blends overlapping detections by score and keeps separate ones', () => {
    const det = (cx: number, score: number): BlazeDetection => ({ cx, cy: 0.5, w: 0.2, h: 0.2, score, keypoints: [{ x: cx, y: 0.5 }] })
    const out = weightedNms([det(0.5, 0.9), det(0.52, 0.6), det(0.1, 0.7)])
    assert.equal(out.length, 2)
    const blended = out.find((d) => d.score === 0.9)!
    assert.ok(Math.abs(blended.cx - (0.5 * 0.9 + 0.52 * 0.6) / 1.5) < 1e-9)
    assert.ok(Math.abs(blended.keypoints[0]!.x - blended.cx) < 1e-9)
  })

  test('merging views drops a tile-cut twin contained in a better box', () => {
    const d = (box: Box, score: number) => ({ box, score, landmarks: [] })
    const out = mergeDetections([d({ x1: 0, y1: 0, x2: 100, y2: 100 }, 0.9), d({ x1: 50, y1: 0, x2: 100, y2: 100 }, 0.95), d({ x1: 300, y1: 0, x2: 350, y2: 50 }, 0.5)])
    assert.deepEqual(out.map((x) => x.score), [0.95, 0.5])
  })

  test('tiles cover the image with overlap, only when the image is large enough', () => {
    assert.equal(views(600, 400).length, 1)
    assert.equal(views(600, 400, { tiles: true }).length, 1)
    const v = views(1440, 960, { tiles: true })
    assert.ok(v.length > 5)
    for (const r of v) assert.ok(r.left >= 0 && r.top >= 0 && r.left + r.width <= 1440 && r.top + r.height <= 960)
    // Every point of the image lies in some 2x2-grid tile.
    for (const [x, y] of [[0, 0], [719, 479], [1439, 959], [1000, 100]]) assert.ok(v.slice(1).some((r) => x! >= r.left && x! < r.left + r.width && y! >= r.top && y! < r.top + r.height))
  })

  test('the least-squares similarity transform recovers a known rotation, scale and shift', () => {
    const angle = 0.3
    const s = 1.7
    const truth = (p: { x: number, y: number }) => ({ x: s * (Math.cos(angle) * p.x - Math.sin(angle) * p.y) + 12, y: s * (Math.sin(angle) * p.x + Math.cos(angle) * p.y) - 5 })
    const src = arcfaceTemplate4
    const m = similarityTransform(src, src.map(truth))
    for (const p of [{ x: 0, y: 0 }, { x: 100, y: 40 }]) {
      const a = applyAffine(m, p)
      const b = truth(p)
      assert.ok(Math.hypot(a.x - b.x, a.y - b.y) < 1e-9)
    }
    const back = applyAffine(invertAffine(m), applyAffine(m, { x: 3, y: 4 }))
    assert.ok(Math.hypot(back.x - 3, back.y - 4) < 1e-9)
    assert.throws(() => similarityTransform([{ x: 1, y: 1 }, { x: 1, y: 1 }], [{ x: 0, y: 0 }, { x: 1, y: 1 }]), /coincide/)
  })

  test('the warp samples bilinearly: a shift by half a pixel averages neighbours; outside is black', () => {
    const img: RgbImage = { data: new Uint8Array(4 * 1 * 3), width: 4, height: 1 }
    for (let x = 0; x < 4; x++) img.data.fill(x * 60, x * 3, x * 3 + 3)
    const out = warpAffine(img, [1, 0, -0.5, 0, 1, 0], 4, 1)
    assert.deepEqual([...out.data.filter((_, i) => i % 3 === 0)], [30, 90, 150, 90])
  })
})

describe('faces on real photos with the lite pack', { skip: skipFixtures }, () => {
  let runtime: ModelRuntime
  let analyze: FaceAnalyzer

  before(async () => {
    const dir = await litePack()
    const manifest = await loadManifest()
    runtime = createModelRuntime({ provider: 'cpu', threads: 0, idleMs: 60_000 })
    analyze = createFaceAnalyzer({
      runtime,
      files: { detector: modelFile(dir, manifest, 'lite', 'face-detector'), verifier: modelFile(dir, manifest, 'lite', 'face-detector-alt'), embedder: modelFile(dir, manifest, 'lite', 'face-embedder') },
    })
  })
  after(async () => { await runtime?.close() })

  // The photo's own face regions (XMP mwg-rs, normalised centre and size, 840x700), checked by eye.
  const region = (cx: number, cy: number, w: number, h: number): Box => ({ x1: (cx - w / 2) * 840, y1: (cy - h / 2) * 700, x2: (cx + w / 2) * 840, y2: (cy + h / 2) * 700 })
  const marie = region(0.368452, 0.307857, 0.113095, 0.198571)
  const pierre = region(0.6875, 0.239286, 0.0964286, 0.241429)

  const inside = (f: Face, r: Box) => {
    const cx = (f.box.x1 + f.box.x2) / 2
    const cy = (f.box.y1 + f.box.y2) / 2
    const w = f.box.x2 - f.box.x1
    return cx > r.x1 && cx < r.x2 && cy > r.y1 && cy < r.y2 && w > (r.x2 - r.x1) * 0.6 && w < (r.x2 - r.x1) * 1.5
  }
  const sorted = (fs: Face[]) => [...fs].sort((a, b) => a.box.x1 - b.box.x1)

  test('both faces in portrait.jpg, inside the regions the photo itself records (Pierre in profile too)', async () => {
    const img = await decodeRgb(`${facesDir}portrait.jpg`)
    const faces = sorted(await analyze(img))
    assert.equal(faces.length, 2, JSON.stringify(faces.map((f) => f.box)))
    assert.ok(inside(faces[0]!, marie), `Marie: ${JSON.stringify(faces[0]!.box)}`)
    assert.ok(inside(faces[1]!, pierre), `Pierre: ${JSON.stringify(faces[1]!.box)}`)
    // Landmarks of the frontal face: eyes level, left of right, nose and mouth below them.
    const [le, re, nose, mouth] = faces[0]!.landmarks
    assert.ok(le!.x < re!.x && Math.abs(le!.y - re!.y) < 8 && nose!.y > le!.y && mouth!.y > nose!.y)
    for (const f of faces) {
      assert.equal(f.embedding.length, 512)
      assert.ok(Math.abs(Math.hypot(...f.embedding) - 1) < 1e-4)
    }
  })

  test('the orientation-6 twin gives the same faces at the same places once upright', async () => {
    const a = sorted(await analyze(await decodeRgb(`${facesDir}portrait.jpg`)))
    const rotated = await decodeRgb(`${facesDir}portrait-orientation-6.jpg`)
    assert.deepEqual([rotated.width, rotated.height], [840, 700])
    const b = sorted(await analyze(rotated))
    assert.equal(b.length, 2)
    for (let i = 0; i < 2; i++) {
      for (const k of ['x1', 'y1', 'x2', 'y2'] as const) assert.ok(Math.abs(a[i]!.box[k] - b[i]!.box[k]) <= 10, `${i} ${k}: ${a[i]!.box[k]} vs ${b[i]!.box[k]}`)
    }
    assert.ok(inside(b[0]!, marie) && inside(b[1]!, pierre))
    // Marie's frontal face embeds to nearly the same vector from either file.
    assert.ok(cosineDistance(a[0]!.embedding, b[0]!.embedding) < 0.1)
  })

  test('analyses running at once give what each gives alone (each takes its own tensor buffers)', async () => {
    const files = [`${facesDir}portrait.jpg`, `${facesDir}portrait-orientation-6.jpg`, `${fixtures}immich-test-assets/albums/nature/prairie_falcon.jpg`]
    const images = await Promise.all(files.map((f) => decodeRgb(f)))
    const alone: Face[][] = []
    for (const img of images) alone.push(sorted(await analyze(img)))
    const together = (await Promise.all(images.map((img) => analyze(img)))).map(sorted)
    assert.deepEqual(together.map((fs) => fs.length), alone.map((fs) => fs.length))
    for (let i = 0; i < images.length; i++) {
      for (let j = 0; j < alone[i]!.length; j++) {
        assert.deepEqual(together[i]![j]!.box, alone[i]![j]!.box, `${files[i]} face ${j}`)
        assert.ok(cosineDistance(together[i]![j]!.embedding, alone[i]![j]!.embedding) < 1e-6)
      }
    }
  })

  test('candidates checked two at a time, one per inference thread, give what one at a time gives', async () => {
    const dir = await litePack()
    const manifest = await loadManifest()
    const files = { detector: modelFile(dir, manifest, 'lite', 'face-detector'), verifier: modelFile(dir, manifest, 'lite', 'face-detector-alt'), embedder: modelFile(dir, manifest, 'lite', 'face-embedder') }
    const two = createModelRuntime({ provider: 'cpu', threads: 0, idleMs: 60_000, workers: 2 })
    const one = createModelRuntime({ provider: 'cpu', threads: 0, idleMs: 60_000, workers: 1 })
    try {
      const [inLanes, alone] = [createFaceAnalyzer({ runtime: two, files }), createFaceAnalyzer({ runtime: one, files })]
      // Two faces: Marie frontal, Pierre in profile (a weaker candidate that RFB-320 checks).
      for (const f of [`${facesDir}portrait.jpg`, craftBeer]) {
        const img = await decodeRgb(f)
        const a = await inLanes(img)
        const b = await alone(img)
        assert.equal(a.length, b.length, f)
        for (let j = 0; j < a.length; j++) {
          assert.deepEqual(a[j]!.box, b[j]!.box, `${f} face ${j}`)
          assert.ok(cosineDistance(a[j]!.embedding, b[j]!.embedding) < 1e-5, `${f} face ${j}: its own embedding, not another candidate's`)
        }
      }
    } finally { await two.close(); await one.close() }
  })

  test('no faces in photos without people', async () => {
    for (const f of ['albums/nature/prairie_falcon.jpg', 'albums/nature/cyclamen_persicum.jpg', 'albums/text/japanese-shop.jpg', 'albums/text/book-beside-flowers.jpg', 'metadata/gps-position/empty_gps.jpg']) {
      const faces = await analyze(await decodeRgb(`${fixtures}immich-test-assets/${f}`))
      assert.equal(faces.length, 0, `${f}: ${JSON.stringify(faces.map((x) => [x.score, x.box]))}`)
    }
  })

  test('same person across variants of a photo is near, different people are far (fr_feature, RGB, (x-127.5)/127.5)', async () => {
    // The fixtures hold no second photo of anyone, so the "other photos" are variants of one:
    // resized, recompressed, mirrored, rotated 8 degrees, cropped.
    // As previews are: upright, long side at most 1440.
    const preview = (p: string) => sharp(p).rotate().resize({ width: 1440, height: 1440, fit: 'inside', withoutEnlargement: true })
    const variants: Record<string, (p: string) => Promise<Buffer>> = {
      original: (p) => preview(p).jpeg({ quality: 95 }).toBuffer(),
      resized: (p) => preview(p).resize({ width: 600 }).jpeg().toBuffer(),
      recompressed: (p) => preview(p).jpeg({ quality: 30 }).toBuffer(),
      mirrored: (p) => preview(p).flop().jpeg().toBuffer(),
      rotated: async (p) => sharp(await preview(p).toBuffer()).rotate(8, { background: '#000' }).jpeg().toBuffer(),
      cropped: async (p) => {
        const { data, info } = await preview(p).toBuffer({ resolveWithObject: true })
        return sharp(data).extract({ left: Math.round(info.width * 0.2), top: Math.round(info.height * 0.1), width: Math.round(info.width * 0.6), height: Math.round(info.height * 0.7) }).jpeg().toBuffer()
      },
    }
    const found: Array<{ who: string, variant: string, e: Float32Array }> = []
    for (const [source, path] of [['portrait', `${facesDir}portrait.jpg`], ['beer', craftBeer]] as const) {
      for (const [variant, make] of Object.entries(variants)) {
        const { data, info } = await sharp(await make(path)).removeAlpha().raw().toBuffer({ resolveWithObject: true })
        const faces = await analyze({ data: new Uint8Array(data), width: info.width, height: info.height })
        for (const f of faces) {
          const cx = (f.box.x1 + f.box.x2) / 2 / info.width
          const left = variant === 'mirrored' ? 1 - cx : cx
          found.push({ who: source === 'beer' ? 'woman at the bar' : left < 0.55 ? 'Marie' : 'Pierre', variant, e: f.embedding })
        }
      }
    }
    // Every frontal face is found in every variant.
    for (const who of ['Marie', 'woman at the bar']) assert.equal(found.filter((f) => f.who === who).length, 6, who)
    const same: number[] = []
    const different: number[] = []
    for (let i = 0; i < found.length; i++) {
      for (let j = i + 1; j < found.length; j++) {
        const a = found[i]!
        const b = found[j]!
        const d = cosineDistance(a.e, b.e)
        if (a.who !== b.who) different.push(d)
        else if (a.who !== 'Pierre') same.push(d)
      }
    }
    const max = Math.max(...same)
    const min = Math.min(...different)
    console.log(`# same person (frontal): ${same.length} pairs, max cosine distance ${max.toFixed(3)}; different people: ${different.length} pairs, min ${min.toFixed(3)}`)
    assert.ok(max < 0.3, `same-person distance ${max}`)
    assert.ok(min > 0.6, `different-people distance ${min}`)
  })
})
