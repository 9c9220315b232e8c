/**
 * Remote ML, both ways, with two real Hearth nodes on each engine: node A has the real lite pack
 * (and a generated CLIP pair as its `immich` pack) and serves Immich's ML protocol at /ml/predict
 * (HEARTH_ML_SERVER_TOKEN); node B has no models at all and HEARTH_ML_URLS pointing at a dead URL
 * then at A (HEARTH_ML_URLS_TOKEN). B's faces, OCR and CLIP embeddings are computed by A, and match
 * what A computes locally for the same photo. Also: tokens, the protocol's 4xx and 500 answers,
 * failover past a dead server, and A going down (B's ML unavailable, then local once B has models).
 *
 * Model names: A names its model in `x-hearth-ml-models` and refuses faces or CLIP for another
 * model (422); B asks A for `lite/fr_feature`, so the faces A made and the faces B's own lite pack
 * makes after A went down are one model and form one person. The header's grammar and the client's
 * checks of it run first, without nodes.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import sharp from 'sharp'
import pino from 'pino'
import { oneEngine } from '../helpers/engines.ts'
import { litePack } from '../helpers/models.ts'
import { startTestNode, type TestNode } from '../helpers/node.ts'
import type { Session } from '../helpers/client.ts'
import { colours, immichModelPaths, installClipModels } from '../helpers/clip-models.ts'
import { sleep, waitFor } from '../helpers/process.ts'
import { loadClipTokenizer } from '../../node/ml/clip/tokenizer.ts'
import { createModelStore } from '../../node/ml/model-store.ts'
import { createRemoteMl } from '../../node/ml/remote/client.ts'
import { createLocalMl } from '../../node/ml/remote/local.ts'
import { mlServerMiddleware } from '../../node/ml/remote/server.ts'
import { formatEmbedding, formatModelsHeader, parseEmbedding, parseModelsHeader, RemoteModelError, RemoteUnavailableError, replyModel } from '../../node/ml/protocol.ts'
import { variants } from '../people/variants.ts'

const fixtures = resolve(import.meta.dirname, '../../../shared/fixtures/immich-test-assets')
const portrait = join(fixtures, 'metadata/faces/portrait.jpg')
const beer = join(fixtures, 'albums/text/craft-beer.jpg')
const TOKEN = 'a-test-ml-server-token-0123456789'
const BROKEN_TOKEN = 'a-broken-ml-server-token-0123456789'
const silent = pino({ level: 'silent' })

/** Polls every 200 ms: the checks query a node that is busy running models. */
const until = (what: string, check: () => Promise<boolean>, timeoutMs = 240_000) => waitFor(what, check, timeoutMs, 200)

const cosine = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let d = 0; let na = 0; let nb = 0
  for (let i = 0; i < a.length; i++) { d += a[i]! * b[i]!; na += a[i]! ** 2; nb += b[i]! ** 2 }
  return d / Math.sqrt(na * nb)
}

/** Posts a raw multipart form to a node's /ml/predict. */
async function predict (url: string, form: FormData | undefined, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }, body?: BodyInit) {
  const r = await fetch(`${url}/ml/predict`, { method: 'POST', body: form ?? body, headers })
  const text = await r.text()
  let json: any // eslint-disable-line @typescript-eslint/no-explicit-any
  try { json = JSON.parse(text) } catch { json = text }
  return { status: r.status, body: json, headers: r.headers }
}
const formOf = (entries: unknown, image?: Buffer, text?: string) => {
  const f = new FormData()
  if (entries !== undefined) f.append('entries', typeof entries === 'string' ? entries : JSON.stringify(entries))
  if (image !== undefined) f.append('image', new Blob([new Uint8Array(image)]), 'x.jpg')
  if (text !== undefined) f.append('text', text)
  return f
}
/** Faces as Hearth asks a Hearth server for them (the lite model's name). */
const faceEntriesOf = (modelName: string) => ({ 'facial-recognition': { detection: { modelName, options: { minScore: 0.7 } }, recognition: { modelName } } })
const faceEntries = faceEntriesOf('lite/fr_feature')

interface FaceRow { x1: number, y1: number, x2: number, y2: number, score: number, embedding: string, w: number, h: number }
async function facesOf (t: TestNode, assetId: string): Promise<FaceRow[]> {
  return t.node.db.query<FaceRow>(
    `SELECT f.bounding_box_x1 AS x1, f.bounding_box_y1 AS y1, f.bounding_box_x2 AS x2, f.bounding_box_y2 AS y2, f.score, s.embedding::text AS embedding,
            f.image_width AS w, f.image_height AS h
       FROM asset_faces f JOIN face_search s ON s.face_id = f.id WHERE f.asset_id = $1 ORDER BY f.bounding_box_x1`, [assetId])
}
async function ocrOf (t: TestNode, assetId: string) {
  return t.node.db.query<{ text: string, x1: number, y1: number, x3: number, y3: number, box_score: number, text_score: number }>(
    'SELECT text, x1, y1, x3, y3, box_score, text_score FROM asset_ocr WHERE asset_id = $1 ORDER BY y1, x1', [assetId])
}
const ran = async (t: TestNode, assetId: string, stage: string) =>
  (await t.node.db.query('SELECT 1 FROM asset_ml_runs WHERE asset_id = $1 AND stage = $2', [assetId, stage])).length > 0

describe('x-hearth-ml-models: the grammar, and what the client records', () => {
  const v512 = formatEmbedding(new Float32Array(512).fill(0.04))
  const isModelError = (pattern: RegExp) => (err: Error) => err instanceof RemoteModelError && pattern.test(err.message)

  test('good: task=model items joined by ";", read back as written', () => {
    assert.deepEqual(parseModelsHeader('facial-recognition=lite/fr_feature'), { 'facial-recognition': 'lite/fr_feature' })
    assert.deepEqual(parseModelsHeader('clip=ViT-B-32__openai;ocr=lite/PP-OCRv4'), { clip: 'ViT-B-32__openai', ocr: 'lite/PP-OCRv4' })
    assert.deepEqual(parseModelsHeader(' clip=ViT-B-32__openai ; facial-recognition=buffalo_l '), { clip: 'ViT-B-32__openai', 'facial-recognition': 'buffalo_l' })
    const models = { ocr: 'lite/PP-OCRv4', 'facial-recognition': 'lite/fr_feature', clip: 'ViT-B-32__openai' }
    assert.equal(formatModelsHeader(models), 'clip=ViT-B-32__openai; facial-recognition=lite/fr_feature; ocr=lite/PP-OCRv4')
    assert.deepEqual(parseModelsHeader(formatModelsHeader(models)), models)
    assert.throws(() => formatModelsHeader({ clip: 'two words' }), /not a model name/)
    // The model the header names is recorded, whatever was asked: the server is the one that knows.
    assert.equal(replyModel({ header: 'facial-recognition=lite/fr_feature', task: 'facial-recognition', asked: 'buffalo_l', dimensions: [512, 512] }), 'lite/fr_feature')
    assert.equal(replyModel({ header: 'clip=ViT-B-32__openai', task: 'clip', asked: 'ViT-B-32__openai', dimensions: [512] }), 'ViT-B-32__openai')
    assert.equal(replyModel({ header: 'facial-recognition=lite/fr_feature', task: 'facial-recognition', asked: 'lite/fr_feature', dimensions: [] }), 'lite/fr_feature', 'no faces')
  })

  test('missing (Immich\'s server): the name asked for, held to its size when Hearth knows it', () => {
    assert.equal(replyModel({ header: null, task: 'facial-recognition', asked: 'buffalo_l', dimensions: [512] }), 'buffalo_l')
    assert.equal(replyModel({ header: null, task: 'facial-recognition', asked: 'antelopev2', dimensions: [512] }), 'antelopev2', 'a model Hearth does not know is taken at its word')
    assert.throws(() => replyModel({ header: null, task: 'clip', asked: 'ViT-B-32__openai', dimensions: [768], server: 'http://ml' }),
      isModelError(/from http:\/\/ml is recorded as ViT-B-32__openai, whose embeddings have 512 dimensions, but it sent 768/))
  })

  test('malformed or lying: a RemoteModelError that quotes the header', () => {
    for (const [header, why] of [
      ['', /an empty item/],
      ['facial-recognition', /is not task=model/],
      ['facial-recognition=', /"" is not a model name/],
      ['clip=ViT-B-32__openai;', /an empty item/],
      ['faces=lite/fr_feature', /unknown task "faces"/],
      ['Clip=ViT-B-32__openai', /is not task=model|unknown task/],
      ['clip=ViT-B-32__openai; clip=ViT-B-32__openai', /clip named twice/],
      ['clip=ViT B 32', /is not a model name/],
      // Two headers, as fetch joins them.
      ['clip=ViT-B-32__openai, clip=ViT-L-14__openai', /is not a model name/],
      // What a Hearth server sent before the names were the recorded ones.
      ['facial-recognition=lite:blazeface.onnx+fr_detect.onnx+fr_feature.onnx', /is not a model name/],
      [`clip=${'x'.repeat(129)}`, /is not a model name/],
    ] as const) {
      assert.throws(() => parseModelsHeader(header), isModelError(new RegExp(`malformed x-hearth-ml-models header .*${why.source}`)), JSON.stringify(header))
      assert.throws(() => replyModel({ header, task: 'clip', asked: 'ViT-B-32__openai', dimensions: [512] }), RemoteModelError)
    }
    const lies: Array<[string, 'clip' | 'facial-recognition', number, RegExp]> = [
      ['clip=ViT-L-14__openai', 'clip', 512, /names ViT-L-14__openai, a model this Hearth does not know/],
      ['clip=ViT-B-32__openai', 'clip', 768, /ViT-B-32__openai, whose embeddings have 512 dimensions, but it sent 768/],
      ['facial-recognition=lite/fr_feature', 'facial-recognition', 128, /lite\/fr_feature, whose embeddings have 512 dimensions, but it sent 128/],
      ['clip=lite/fr_feature', 'clip', 512, /names lite\/fr_feature, which is a facial-recognition model/],
      ['facial-recognition=ViT-B-32__openai', 'facial-recognition', 512, /names ViT-B-32__openai, which is a clip model/],
      ['clip=ViT-B-32__openai', 'facial-recognition', 512, /does not name exactly its task/],
      ['facial-recognition=lite/fr_feature; clip=ViT-B-32__openai', 'facial-recognition', 512, /does not name exactly its task/],
      ['facial-recognition=constructor', 'facial-recognition', 512, /a model this Hearth does not know/],
    ]
    for (const [header, task, size, why] of lies) {
      assert.throws(() => replyModel({ header, task, asked: task === 'clip' ? 'ViT-B-32__openai' : 'lite/fr_feature', dimensions: [512, size] }), isModelError(why), header)
    }
  })

  test('the client: records the header\'s model, the asked one without it, fails the call on a lying header, and takes a refusal as unavailable', async () => {
    let answer: { status: number, headers: Record<string, string>, body: unknown } = { status: 200, headers: {}, body: {} }
    const asked: unknown[] = []
    const fetchImpl = (async (_url: string, init: RequestInit) => {
      asked.push(JSON.parse(String((init.body as FormData).get('entries'))))
      return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { 'content-type': 'application/json', ...answer.headers } })
    }) as typeof fetch
    const client = createRemoteMl({ urls: ['http://ml-a', 'http://ml-b'], log: silent, fetchImpl })
    const faces = { imageWidth: 10, imageHeight: 10, 'facial-recognition': [{ boundingBox: { x1: 1, y1: 1, x2: 5, y2: 5 }, score: 0.9, embedding: v512 }] }
    const image = Buffer.from('an image')

    answer = { status: 200, headers: {}, body: faces }
    assert.equal((await client.faces.detect(image, { modelName: 'buffalo_l' })).model, 'buffalo_l', 'no header: the name asked for')
    answer = { status: 200, headers: { 'x-hearth-ml-models': 'facial-recognition=lite/fr_feature' }, body: faces }
    assert.equal((await client.faces.detect(image, { modelName: 'lite/fr_feature' })).model, 'lite/fr_feature')
    assert.equal((await client.faces.detect(image, { modelName: 'buffalo_l' })).model, 'lite/fr_feature', 'the model the reply names, not the one asked for')
    answer = { status: 200, headers: { 'x-hearth-ml-models': 'clip=ViT-B-32__openai' }, body: { clip: v512 } }
    assert.deepEqual(await client.clip.encodeText('red').then((r) => [r.model, r.embedding.length]), ['ViT-B-32__openai', 512])

    // A lying header fails the call itself (not RemoteUnavailableError: no quiet fallback), naming the server.
    answer = { status: 200, headers: { 'x-hearth-ml-models': 'facial-recognition=ViT-B-32__openai' }, body: faces }
    await assert.rejects(client.faces.detect(image, { modelName: 'lite/fr_feature' }), isModelError(/facial-recognition reply from http:\/\/ml-a names ViT-B-32__openai, which is a clip model/))
    answer = { status: 200, headers: { 'x-hearth-ml-models': 'clip=ViT-L-14__openai' }, body: { clip: formatEmbedding(new Float32Array(768)) } }
    await assert.rejects(client.clip.encodeImage(image), isModelError(/ViT-L-14__openai, a model this Hearth does not know/))
    answer = { status: 200, headers: { 'x-hearth-ml-models': 'facial-recognition=lite/fr_feature' }, body: { text: [], box: [], boxScore: [], textScore: [], imageWidth: 1, imageHeight: 1 } }
    await assert.rejects(client.ocr.read(image), isModelError(/ocr reply .* does not name exactly its task/))
    assert.deepEqual(client.servers().map((s) => s.healthy), [true, undefined], 'the replies came: the first server answered them all')

    // A refusal (422 with the header) from both: unavailable for this task, the servers stay healthy, both were asked.
    answer = { status: 422, headers: { 'x-hearth-ml-models': 'facial-recognition=lite/fr_feature' }, body: { message: 'This server has facial-recognition=lite/fr_feature' } }
    asked.length = 0
    await assert.rejects(client.faces.detect(image, { modelName: 'buffalo_l' }), (err: Error) => err instanceof RemoteUnavailableError && /has not the model asked for/.test(err.message))
    assert.equal(asked.length, 2)
    assert.deepEqual(client.servers().map((s) => s.healthy), [true, true])
    // Remembered: the same models are not asked again (no image sent), other models still are.
    await assert.rejects(client.faces.detect(image, { modelName: 'buffalo_l' }), (err: Error) => err instanceof RemoteUnavailableError && /has not the model asked for/.test(err.message))
    assert.equal(asked.length, 2, 'a remembered refusal sends nothing')
    answer = { status: 200, headers: { 'x-hearth-ml-models': 'facial-recognition=lite/fr_feature' }, body: faces }
    assert.equal((await client.faces.detect(image, { modelName: 'lite/fr_feature' })).model, 'lite/fr_feature', 'another model is still asked for')
    assert.equal(asked.length, 3)
    // After refusalMs the server is asked again (its models may have been installed).
    const brief = createRemoteMl({ urls: ['http://ml-a'], log: silent, fetchImpl, refusalMs: 50 })
    answer = { status: 422, headers: { 'x-hearth-ml-models': 'facial-recognition=lite/fr_feature' }, body: { message: 'no' } }
    await assert.rejects(brief.faces.detect(image, { modelName: 'buffalo_l' }), RemoteUnavailableError)
    await assert.rejects(brief.faces.detect(image, { modelName: 'buffalo_l' }), RemoteUnavailableError)
    assert.equal(asked.length, 4, 'remembered within refusalMs')
    await sleep(80)
    answer = { status: 200, headers: {}, body: faces }
    assert.equal((await brief.faces.detect(image, { modelName: 'buffalo_l' })).model, 'buffalo_l', 'asked again after refusalMs')
    assert.equal(asked.length, 5)
    brief.close()
    // A 422 without it is the server failing (malformed entries): unhealthy.
    answer = { status: 422, headers: {}, body: { message: 'Invalid entries' } }
    await assert.rejects(client.faces.detect(image, { modelName: 'lite/fr_feature' }), RemoteUnavailableError)
    assert.deepEqual(client.servers().map((s) => s.healthy), [false, false])
    client.close()
  })
})

for (const engine of oneEngine('postgres')) {
  describe(`[${engine}] remote ML: Hearth's client against Hearth's server`, { skip: existsSync(portrait) ? false : 'needs ../shared/fixtures' }, () => {
    let work: string
    let a: TestNode
    let b: TestNode
    let adminA: Session
    let adminB: Session
    let bModels: string
    const deadUrl = 'http://127.0.0.1:9/ml'
    const onB: Record<string, string> = {}
    let aStopped = false

    before(async () => {
      work = await mkdtemp(join(tmpdir(), 'hearth-remote-ml-'))
      // A: the real lite pack, plus a generated CLIP pair where the immich pack's ViT-B-32 goes.
      const aModels = join(work, 'models-a')
      await mkdir(aModels, { recursive: true })
      await symlink(join(await litePack(), 'lite'), join(aModels, 'lite'))
      await installClipModels(join(work, 'generated'), await loadClipTokenizer(), await immichModelPaths(aModels))
      // A model that is there but broken: served by B under another token, for the 500 answer.
      const brokenModels = join(work, 'models-broken')
      const brokenClip = (await immichModelPaths(brokenModels))('clip-visual')
      await mkdir(dirname(brokenClip), { recursive: true })
      await writeFile(brokenClip, 'this is not an ONNX model')

      a = await startTestNode(engine, { HEARTH_MODELS_DIR: aModels, HEARTH_ML_SERVER_TOKEN: TOKEN })
      bModels = join(work, 'models-b')
      await mkdir(bModels)
      b = await startTestNode(engine, { HEARTH_MODELS_DIR: bModels, HEARTH_ML_URLS: `${deadUrl},${a.url}/ml`, HEARTH_ML_URLS_TOKEN: TOKEN }, {
        modules: [({ runtime, manifest: m }) => ({
          name: 'broken-ml-server',
          middleware: mlServerMiddleware({ token: BROKEN_TOKEN, local: createLocalMl({ models: createModelStore({ modelsDir: brokenModels, manifest: m }), runtime }), log: silent }),
        })],
      })
      adminA = await a.client.signUpAdmin()
      adminB = await b.client.signUpAdmin()
      // B asks A for the model A has (A refuses Immich's default, buffalo_l: see the errors test).
      const set = await b.client.call('PUT', '/api/system-config', { headers: adminB.headers, body: { machineLearning: { facialRecognition: { modelName: 'lite/fr_feature' } } } })
      assert.equal(set.status, 200, JSON.stringify(set.body))
      await until('B to see A healthy', async () => b.node.ml.remote.available(), 10_000)
    })
    after(async () => {
      await b?.stop()
      if (!aStopped) await a?.stop()
      await rm(work, { recursive: true, force: true })
    })

    test('GET /ml/ping is "pong"; /ml/predict needs the token (Bearer or x-api-key); a node without HEARTH_ML_SERVER_TOKEN has no ML server', async () => {
      const ping = await fetch(`${a.url}/ml/ping`)
      assert.equal(ping.status, 200)
      assert.equal(await ping.text(), 'pong')
      assert.equal((await fetch(`${a.url}/ml/ping`, { headers: { authorization: 'Bearer wrong-token' } })).status, 401)
      const image = await readFile(portrait)
      assert.equal((await predict(a.url, formOf(faceEntries, image), {})).status, 401)
      const wrong = await predict(a.url, formOf(faceEntries, image), { authorization: 'Bearer wrong-token-wrong-token' })
      assert.equal(wrong.status, 401)
      assert.match(wrong.body.message, /token/i)
      assert.equal((await predict(a.url, formOf(faceEntries, image), { 'x-api-key': 'wrong' })).status, 401)
      // A user's session is not the ML token.
      assert.equal((await predict(a.url, formOf(faceEntries, image), adminA.headers)).status, 401)
      const ok = await predict(a.url, formOf(faceEntries, image), { 'x-api-key': TOKEN })
      assert.equal(ok.status, 200, JSON.stringify(ok.body))
      assert.equal(ok.headers.get('x-hearth-ml-models'), 'facial-recognition=lite/fr_feature')
      // B was not given HEARTH_ML_SERVER_TOKEN: no /ml/predict of its own (only the test's broken one is there, under its token).
      assert.equal((await predict(b.url, formOf(faceEntries, image))).status, 401)
    })

    test('the protocol\'s errors: bad entries 422, unknown task 400, no image 400, undecodable image 400, not multipart 400, too large 413, a broken model 500', async () => {
      const image = await readFile(portrait)
      const notJson = await predict(a.url, formOf('{not json', image))
      assert.equal(notJson.status, 422)
      assert.match(notJson.body.message, /entries/)
      assert.equal((await predict(a.url, formOf(undefined, image))).status, 422, 'no entries')
      assert.equal((await predict(a.url, formOf({ 'facial-recognition': { detection: { options: {} } } }, image))).status, 422, 'no modelName')
      const unknown = await predict(a.url, formOf({ 'image-classification': { classification: { modelName: 'x' } } }, image))
      assert.equal(unknown.status, 400)
      assert.match(unknown.body.message, /Unknown task "image-classification"/)
      const noImage = await predict(a.url, formOf(faceEntries))
      assert.equal(noImage.status, 400)
      assert.match(noImage.body.message, /No image/)
      assert.equal((await predict(a.url, formOf({ clip: { textual: { modelName: 'ViT-B-32__openai' } } }))).status, 400, 'no text')
      const garbage = await predict(a.url, formOf(faceEntries, Buffer.from('definitely not a JPEG')))
      assert.equal(garbage.status, 400)
      assert.match(garbage.body.message, /could not be decoded/)
      const truncated = await predict(a.url, formOf(faceEntries, image.subarray(0, 2000)))
      assert.equal(truncated.status, 400, JSON.stringify(truncated.body))
      assert.equal((await predict(a.url, undefined, { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, '{}')).status, 400)
      const big = await predict(a.url, formOf(faceEntries, Buffer.alloc(65 * 1024 * 1024)))
      assert.equal(big.status, 413)
      // A model file that onnxruntime cannot load: 500 with the reason, and the server goes on.
      const broken = await predict(b.url, formOf({ clip: { visual: { modelName: 'ViT-B-32__openai' } } }, image), { authorization: `Bearer ${BROKEN_TOKEN}` })
      assert.equal(broken.status, 500)
      assert.match(broken.body.message, /model failed/)
      assert.equal((await fetch(`${b.url}/ml/ping`)).status, 200)
      // A task whose model A lacks is refused with 501 (B's broken server has no face models).
      assert.equal((await predict(b.url, formOf(faceEntries, image), { authorization: `Bearer ${BROKEN_TOKEN}` })).status, 501)
      assert.equal((await predict(a.url, formOf(faceEntries, image))).status, 200, 'A still answers')
    })

    test('a face or CLIP model A has not is refused with a 422 naming what it has (not answered with another model); OCR is answered by name', async () => {
      const image = await readFile(portrait)
      const buffalo = await predict(a.url, formOf(faceEntriesOf('buffalo_l'), image))
      assert.equal(buffalo.status, 422, JSON.stringify(buffalo.body))
      assert.equal(buffalo.headers.get('x-hearth-ml-models'), 'facial-recognition=lite/fr_feature')
      assert.match(buffalo.body.message, /has facial-recognition=lite\/fr_feature, not facial-recognition: "buffalo_l"/)
      // Detection and recognition must both name it.
      const mixed = await predict(a.url, formOf({ 'facial-recognition': { detection: { modelName: 'lite/fr_feature' }, recognition: { modelName: 'buffalo_l' } } }, image))
      assert.equal(mixed.status, 422)
      const large = await predict(a.url, formOf({ clip: { textual: { modelName: 'ViT-L-14__openai' } } }, undefined, 'red'))
      assert.equal(large.status, 422)
      assert.equal(large.headers.get('x-hearth-ml-models'), 'clip=ViT-B-32__openai')
      // A malformed request is still a plain 422, without the header (so a client does not take it for a refusal).
      const malformed = await predict(a.url, formOf({ clip: { textual: {} } }, undefined, 'red'))
      assert.equal(malformed.status, 422)
      assert.equal(malformed.headers.get('x-hearth-ml-models'), null)
      const blank = await sharp({ create: { width: 64, height: 32, channels: 3, background: '#fff' } }).png().toBuffer()
      const ocr = await predict(a.url, formOf({ ocr: { detection: { modelName: 'PP-OCRv5_mobile' }, recognition: { modelName: 'PP-OCRv5_mobile' } } }, blank))
      assert.equal(ocr.status, 200)
      assert.equal(ocr.headers.get('x-hearth-ml-models'), 'ocr=lite/PP-OCRv4')
    })

    test('B (no models) gets its faces and OCR from A, stored on B; A computes the same locally', async () => {
      assert.equal(await b.node.ml.models.ready('lite'), false, 'B has no local models')
      const f = await b.node.ml.features()
      assert.deepEqual([f.facialRecognition, f.ocr, f.smartSearch], [true, true, true], 'through A')
      for (const [key, path] of [['portrait', portrait], ['beer', beer]] as const) {
        const r = await b.client.upload(adminB, path)
        assert.equal(r.status, 201)
        onB[key] = r.body.id as string
      }
      await until('faces on B', () => ran(b, onB.portrait!, 'faces'))
      await until('OCR on B', () => ran(b, onB.beer!, 'ocr'))
      const bFaces = await facesOf(b, onB.portrait!)
      assert.equal(bFaces.length, 2, JSON.stringify(bFaces.map((f) => [f.x1, f.y1, f.x2, f.y2, f.score])))
      const people = await b.client.call('GET', `/api/faces?id=${onB.portrait!}`, { headers: adminB.headers })
      assert.equal(people.status, 200)
      assert.equal((people.body as unknown[]).length, 2)
      const bLines = await ocrOf(b, onB.beer!)
      assert.ok(bLines.some((l) => /hopadillo/i.test(l.text)), JSON.stringify(bLines.map((l) => l.text)))
      for (const l of bLines) assert.ok(l.x1 >= 0 && l.x3 <= 1 && l.y1 >= 0 && l.y3 <= 1 && l.text_score >= 0.8)

      // The same photos processed on A by its own local models.
      const onA: Record<string, string> = {}
      for (const [key, path] of [['portrait', portrait], ['beer', beer]] as const) {
        const r = await a.client.upload(adminA, path)
        assert.equal(r.status, 201)
        onA[key] = r.body.id as string
      }
      await until('faces on A', () => ran(a, onA.portrait!, 'faces'))
      await until('OCR on A', () => ran(a, onA.beer!, 'ocr'))
      const aFaces = await facesOf(a, onA.portrait!)
      assert.equal(aFaces.length, bFaces.length)
      for (let i = 0; i < aFaces.length; i++) {
        const [fa, fb] = [aFaces[i]!, bFaces[i]!]
        assert.deepEqual([fb.w, fb.h], [fa.w, fa.h], 'same preview size')
        for (const k of ['x1', 'y1', 'x2', 'y2'] as const) assert.ok(Math.abs(fa[k] - fb[k]) <= 1, `${k}: ${fa[k]} vs ${fb[k]}`)
        assert.ok(Math.abs(fa.score - fb.score) < 1e-4)
        assert.ok(cosine(parseEmbedding(fa.embedding), parseEmbedding(fb.embedding)) > 0.9999)
      }
      // Both sides record the one model that made the vectors: B the one A's reply names, A its own pack.
      const models = async (t: TestNode, asset: string) => (await t.node.db.query<{ model: string }>(
        'SELECT DISTINCT s.model FROM asset_faces f JOIN face_search s ON s.face_id = f.id WHERE f.asset_id = $1', [asset])).map((r) => r.model)
      assert.deepEqual(await models(b, onB.portrait!), ['lite/fr_feature'])
      assert.deepEqual(await models(a, onA.portrait!), ['lite/fr_feature'])
      const aLines = (await ocrOf(a, onA.beer!)).filter((l) => l.box_score >= 0.5 && l.text_score >= 0.8)
      assert.deepEqual(bLines.map((l) => l.text), aLines.map((l) => l.text))
      for (let i = 0; i < aLines.length; i++) assert.ok(Math.abs(aLines[i]!.x1 - bLines[i]!.x1) < 1e-3 && Math.abs(aLines[i]!.y3 - bLines[i]!.y3) < 1e-3)
    })

    test('CLIP over the protocol (generated pair on A): B embeds its photos and answers text queries through A', async () => {
      for (const [key, rgb] of [['red', colours.red!], ['blue', colours.blue!]] as const) {
        const data = await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).jpeg().toBuffer()
        const r = await b.client.upload(adminB, { name: `${key}.jpg`, data })
        assert.equal(r.status, 201)
        onB[key] = r.body.id as string
      }
      await until('CLIP on B', async () => await ran(b, onB.red!, 'clip') && await ran(b, onB.blue!, 'clip'))
      assert.deepEqual(await b.node.db.query('SELECT DISTINCT model FROM smart_search'), [{ model: 'ViT-B-32__openai' }], 'the model A named')
      const r = await b.client.call('POST', '/api/search/smart', { headers: adminB.headers, body: { query: 'a red car' } })
      assert.equal(r.status, 200, JSON.stringify(r.body))
      assert.equal(r.body.assets.items[0].id, onB.red)
      // The protocol itself: textual and visual, Immich's reply shapes.
      const text = await predict(a.url, formOf({ clip: { textual: { modelName: 'ViT-B-32__openai' } } }, undefined, 'red'))
      assert.equal(text.status, 200)
      assert.equal(text.headers.get('x-hearth-ml-models'), 'clip=ViT-B-32__openai')
      assert.equal(typeof text.body.clip, 'string')
      const red = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 255, g: 0, b: 0 } } }).png().toBuffer()
      const visual = await predict(a.url, formOf({ clip: { visual: { modelName: 'ViT-B-32__openai' } } }, red))
      assert.equal(visual.status, 200)
      assert.deepEqual([visual.body.imageWidth, visual.body.imageHeight], [64, 64])
      const [t, v] = [parseEmbedding(text.body.clip as string), parseEmbedding(visual.body.clip as string)]
      assert.equal(v.length, 512)
      assert.ok(cosine(t, v) > 0.99, `"red" lands on a red picture (${cosine(t, v)})`)
      // The size is the upright image's (EXIF orientation 6: stored 96x64, shown 64x96).
      const turned = await sharp({ create: { width: 96, height: 64, channels: 3, background: { r: 255, g: 0, b: 0 } } }).jpeg().withMetadata({ orientation: 6 }).toBuffer()
      const upright = await predict(a.url, formOf({ clip: { visual: { modelName: 'ViT-B-32__openai' } } }, turned))
      assert.equal(upright.status, 200, JSON.stringify(upright.body))
      assert.deepEqual([upright.body.imageWidth, upright.body.imageHeight], [64, 96])
      // Bytes that are not an image, or an image cut short after its header: a client error, not an embedding of what decodes.
      const photo = await readFile(portrait)
      for (const [what, bytes] of [['not an image', Buffer.from('definitely not a JPEG')], ['truncated', photo.subarray(0, Math.floor(photo.length / 2))]] as const) {
        const bad = await predict(a.url, formOf({ clip: { visual: { modelName: 'ViT-B-32__openai' } } }, bytes))
        assert.equal(bad.status, 400, `${what}: ${JSON.stringify(bad.body)}`)
        assert.match(bad.body.message, /could not be decoded/, what)
      }
    })

    test('the client fails over past a dead URL, and refuses a wrong token (unhealthy, RemoteUnavailableError)', async () => {
      const image = await readFile(portrait)
      // No health checks: every URL counts as healthy, so the dead one is tried first.
      const client = createRemoteMl({ urls: [deadUrl, `${a.url}/ml`], token: TOKEN, log: silent })
      client.configure({ enabled: true, urls: [deadUrl, `${a.url}/ml`], availabilityChecks: { enabled: false, timeout: 1000, interval: 60_000 } })
      const faces = await client.faces.detect(image, { modelName: 'lite/fr_feature', minScore: 0.7 })
      assert.equal(faces.faces.length, 2)
      assert.equal(faces.model, 'lite/fr_feature')
      assert.deepEqual(client.servers().map((s) => s.healthy), [false, true])
      // Immich's default name: A refuses it, which is "no server for this task", and A stays healthy for the rest.
      await assert.rejects(client.faces.detect(image, { modelName: 'buffalo_l' }),
        (err: Error) => err instanceof RemoteUnavailableError && /has not the model asked for .*lite\/fr_feature/.test(err.message))
      assert.deepEqual(client.servers().map((s) => s.healthy), [false, true])
      const ocr = await client.ocr.read(await readFile(beer))
      assert.equal(ocr.box.length, ocr.text.length * 8)
      client.close()
      // With health checks, the dead one is known unhealthy and skipped.
      const checked = createRemoteMl({ log: silent, token: TOKEN })
      checked.configure({ enabled: true, urls: [deadUrl, `${a.url}/ml`], availabilityChecks: { enabled: true, timeout: 1000, interval: 60_000 } })
      await checked.check()
      assert.equal(checked.available(), true)
      assert.deepEqual(checked.servers().map((s) => s.healthy), [false, true])
      checked.close()
      // The token in the URL itself works too, and is not kept in the URL.
      const inUrl = createRemoteMl({ log: silent, urls: [`${a.url.replace('http://', `http://:${TOKEN}@`)}/ml`] })
      assert.equal(inUrl.servers()[0]!.url, `${a.url}/ml`)
      assert.equal((await inUrl.clip.encodeText('blue')).embedding.length, 512)
      // A wrong token: the ping says 401, so the server is unhealthy and a call gives up.
      const wrong = createRemoteMl({ log: silent, token: 'wrong-token-wrong-token' })
      wrong.configure({ enabled: true, urls: [`${a.url}/ml`], availabilityChecks: { enabled: true, timeout: 1000, interval: 60_000 } })
      await wrong.check()
      assert.equal(wrong.available(), false)
      await assert.rejects(wrong.faces.detect(image), (err: Error) => err instanceof RemoteUnavailableError && /401/.test(err.message))
      wrong.close()
    })

    test('A going down: B\'s ML becomes unavailable (features false, nothing lost); with the lite pack B goes on locally', async () => {
      await a.stop()
      aStopped = true
      const remote = b.node.ml.remote as ReturnType<typeof createRemoteMl>
      await remote.check()
      assert.equal(remote.available(), false)
      const features = await b.client.call('GET', '/api/server/features', { headers: adminB.headers })
      assert.equal(features.body.facialRecognition, false)
      assert.equal(features.body.ocr, false)
      assert.equal(features.body.smartSearch, false)
      const r = await b.client.upload(adminB, join(fixtures, 'albums/text/handwritten-notes.jpg'))
      assert.equal(r.status, 201)
      const notes = r.body.id as string
      await b.node.jobs.drained(['metadataExtraction', 'thumbnailGeneration'], { timeoutMs: 120_000 })
      assert.equal(await ran(b, notes, 'ocr'), false, 'no OCR without a model')
      // B gets the lite pack (as after `hearth models fetch lite`): its own models take over.
      await symlink(join(await litePack(), 'lite'), join(bModels, 'lite'))
      b.node.ml.models.invalidate()
      assert.equal((await b.node.ml.features()).ocr, true)
      await b.node.ml.enqueueMissing('ocr', 'interactive')
      await until('local OCR on B', () => ran(b, notes, 'ocr'))
      const lines = await ocrOf(b, notes)
      assert.ok(lines.some((l) => /IMPORTANT/.test(l.text)), JSON.stringify(lines.map((l) => l.text)))
      assert.equal((await ocrOf(b, onB.beer!)).length > 0, true, 'what A computed earlier is still there')

      // The portrait's woman, whose face A embedded for B, is named; then another photo of her, her
      // face made by B's own lite pack: one model with A's, so clustering finds A's face of her as
      // its neighbour and the new face joins her. Recorded under two names, it would have no
      // neighbour and no person. (Only her face: the portrait's second, faint face, score ~0.5, is
      // not found in this recompressed copy.)
      const facesWithPeople = (asset: string) => b.node.db.query<{ id: string, person: string | null, model: string }>(
        `SELECT f.id, f.person_id AS person, s.model FROM asset_faces f JOIN face_search s ON s.face_id = f.id
          WHERE f.asset_id = $1 ORDER BY f.bounding_box_x1`, [asset])
      const fromA = (await facesWithPeople(onB.portrait!))[0]!
      const marie = await b.client.call('POST', '/api/people', { headers: adminB.headers, body: { name: 'Marie' } })
      assert.equal(marie.status, 201)
      assert.equal((await b.client.call('PUT', `/api/faces/${fromA.id}`, { headers: adminB.headers, body: { id: marie.body.id } })).status, 200)
      const [recompressed] = await variants(portrait, ['recompressed'])
      const local = await b.client.upload(adminB, recompressed!)
      assert.equal(local.status, 201)
      await until('local faces and people on B', () => ran(b, local.body.id as string, 'people'))
      const here = await facesWithPeople(local.body.id as string)
      assert.equal(here.length, 1, JSON.stringify(here))
      assert.equal(here[0]!.person, marie.body.id, 'B\'s own face of her joined the person of A\'s face of her')
      assert.deepEqual(await b.node.db.query('SELECT DISTINCT model FROM face_search'), [{ model: 'lite/fr_feature' }], 'one model on B')
    })
  })
}
