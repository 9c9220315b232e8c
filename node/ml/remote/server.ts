/**
 * Hearth's ML server: Immich's machine-learning protocol at `POST /ml/predict` and `GET /ml/ping`,
 * answered with this node's own models (local.ts), so one Hearth with a GPU can do the ML of other
 * Hearth nodes (their HEARTH_ML_URLS=http://gpu-box:2283/ml).
 *
 * Off unless HEARTH_ML_SERVER_TOKEN is set; every predict request must carry that token
 * (`Authorization: Bearer <token>` or `x-api-key: <token>`), so it is not open compute on the LAN.
 * `/ml/ping` answers "pong" to anyone (a liveness check, as Immich's), but 401 to a wrong token, so a
 * misconfigured client sees the server as unhealthy. Bodies over `maxBytes` are refused (413);
 * bad entries, an unknown task, no image or text, or an image that cannot be decoded are a 4xx
 * naming the problem; a model failing is a 500 with its message, and the node goes on.
 *
 * Models: each task has one (local.ts `models()`), and every answer names it in
 * `x-hearth-ml-models` (protocol.ts). Faces and CLIP are embeddings, comparable only within one
 * model, so a request naming another model for them (Immich's default `buffalo_l`) is refused with
 * a 422 whose `x-hearth-ml-models` says what this server has: a client gets the model it asked
 * for or nothing, whether or not it reads the header (Immich's server does not, nor did Hearth's
 * before it). Hearth's client takes that refusal as "not this server for this task" and runs its
 * local model. OCR answers with the lite pack's PP-OCRv4 whatever name is asked: its lines are
 * text, not vectors to be compared.
 *
 * @example
 * createHttpApp({ ..., middleware: [mlServerMiddleware({ token, local: createLocalMl({ models, runtime }), log })] })
 */
import { timingSafeEqual, createHash } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import busboy from 'busboy'
import type { Logger } from 'pino'
import { z } from 'zod'
import type Koa from 'koa'
import { BadRequestError, HttpError, PayloadTooLargeError, UnauthorizedError } from '../../http/errors.ts'
import { discardRest } from '../../assets/upload.ts'
import type { LocalMl } from './local.ts'
import { ModelMissingError } from './local.ts'
import { UndecodableImageError } from './image.ts'
import { formatModelsHeader, MODELS_HEADER, type ModelTask } from '../protocol.ts'

const modelRef = z.object({ modelName: z.string().min(1), options: z.record(z.string(), z.unknown()).optional() }).loose()
const score = z.number().min(0).max(1)

/** Immich's `entries`: task → type → { modelName, options }. Unknown tasks and types are refused. */
const entriesSchema = z.object({
  clip: z.union([
    z.object({ visual: modelRef }).strict(),
    z.object({ textual: modelRef.extend({ options: z.object({ language: z.string().optional() }).loose().optional() }) }).strict(),
  ]).optional(),
  'facial-recognition': z.object({
    detection: modelRef.extend({ options: z.object({ minScore: score.optional() }).loose().optional() }),
    recognition: modelRef,
  }).strict().optional(),
  ocr: z.object({
    detection: modelRef.extend({ options: z.object({ minScore: score.optional(), maxResolution: z.number().positive().optional() }).loose().optional() }),
    recognition: modelRef.extend({ options: z.object({ minScore: score.optional() }).loose().optional() }),
  }).strict().optional(),
}).strict()

type Entries = z.infer<typeof entriesSchema>

/**
 * The embedding tasks of `entries` that ask for a model other than this server's, as
 * `task: "asked"` (empty when every one is this server's). OCR is not checked (see above).
 */
function otherModels (entries: Entries, has: Record<ModelTask, string>): string[] {
  const asked: Array<[ModelTask, string]> = []
  const fr = entries['facial-recognition']
  if (fr !== undefined) asked.push(['facial-recognition', fr.detection.modelName], ['facial-recognition', fr.recognition.modelName])
  if (entries.clip !== undefined) asked.push(['clip', 'visual' in entries.clip ? entries.clip.visual.modelName : entries.clip.textual.modelName])
  return [...new Set(asked.filter(([task, name]) => name !== has[task]).map(([task, name]) => `${task}: ${JSON.stringify(name)}`))]
}

/** 422, as Immich's service answers malformed entries. */
class UnprocessableError extends HttpError {
  constructor (message: string) { super(422, 'Unprocessable Entity', message) }
}

const digest = (s: string) => createHash('sha256').update(s).digest()

/** The token the request carries (Bearer or x-api-key), if any. */
function presented (req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization
  if (auth !== undefined && /^bearer\s+/i.test(auth)) return auth.replace(/^bearer\s+/i, '').trim()
  const key = req.headers['x-api-key']
  return typeof key === 'string' ? key : undefined
}

async function readForm (req: IncomingMessage, maxBytes: number): Promise<{ fields: Record<string, string>, image?: Buffer }> {
  const type = req.headers['content-type'] ?? ''
  if (!/^multipart\/form-data/i.test(type)) {
    discardRest(req)
    throw new BadRequestError('Expected a multipart/form-data body with "entries" and an "image" file or a "text" field')
  }
  const declared = Number(req.headers['content-length'] ?? NaN)
  if (Number.isFinite(declared) && declared > maxBytes) {
    discardRest(req)
    throw new PayloadTooLargeError(`The request is larger than this ML server accepts (${maxBytes} bytes)`)
  }
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy
    try {
      parser = busboy({ headers: req.headers, limits: { fields: 10, fieldSize: 1024 * 1024, files: 1, parts: 12, fileSize: maxBytes } })
    } catch (err) {
      discardRest(req)
      reject(new BadRequestError(`Malformed multipart body: ${(err as Error).message}`))
      return
    }
    const fields: Record<string, string> = {}
    let image: Buffer | undefined
    let failed: Error | undefined
    let pending: Promise<void> = Promise.resolve()
    const fail = (err: Error) => {
      if (failed !== undefined) return
      failed = err
      req.unpipe(parser)
      discardRest(req)
      reject(err)
    }
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) fail(new PayloadTooLargeError(`The "${name}" field is too long`))
      else fields[name] = value
    })
    parser.on('file', (name, stream) => {
      if (name !== 'image') { stream.resume(); fail(new BadRequestError(`Unexpected file field "${name}": send the picture as "image"`)); return }
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('limit', () => fail(new PayloadTooLargeError(`The image is larger than this ML server accepts (${maxBytes} bytes)`)))
      pending = new Promise((ok) => stream.on('close', () => { image = Buffer.concat(chunks); ok() }))
    })
    parser.on('partsLimit', () => fail(new BadRequestError('Too many parts in the form')))
    parser.on('filesLimit', () => fail(new BadRequestError('Only one image per request')))
    parser.on('fieldsLimit', () => fail(new BadRequestError('Too many fields in the form')))
    parser.on('error', (err: Error) => fail(new BadRequestError(`Malformed multipart body: ${err.message}`)))
    parser.on('close', () => { void pending.then(() => { if (failed === undefined) resolve({ fields, image }) }) })
    req.pipe(parser)
  })
}

function parseEntries (text: string | undefined): Entries {
  if (text === undefined) throw new UnprocessableError('No "entries" field: send the tasks as JSON, e.g. {"clip":{"visual":{"modelName":"ViT-B-32__openai"}}}')
  let raw: unknown
  try { raw = JSON.parse(text) } catch { throw new UnprocessableError('"entries" is not valid JSON') }
  const r = entriesSchema.safeParse(raw)
  if (!r.success) {
    const unknown = r.error.issues.find((i) => i.code === 'unrecognized_keys')
    if (unknown !== undefined && unknown.path.length === 0) throw new BadRequestError(`Unknown task ${unknown.keys.map((k) => `"${k}"`).join(', ')}: this server does clip, facial-recognition and ocr`)
    throw new UnprocessableError(`Invalid entries: ${r.error.issues.map((i) => `${i.path.join('.') || 'entries'}: ${i.message}`).join('; ')}`)
  }
  if (Object.keys(r.data).length === 0) throw new UnprocessableError('"entries" names no task')
  return r.data
}

export function mlServerMiddleware ({ token, local, log, maxBytes = 64 * 1024 * 1024 }: {
  token: string, local: LocalMl, log: Logger
  /** The largest request accepted (the image and fields together). */
  maxBytes?: number
}): Koa.Middleware {
  const expected = digest(token)
  const tokenOk = (t: string) => timingSafeEqual(digest(t), expected)
  const models = local.models()
  log.info({ models, files: local.files() }, 'ML server on at /ml/predict (Immich\'s protocol) with these models')

  async function ping (ctx: Koa.Context) {
    const t = presented(ctx.req)
    if (t !== undefined && !tokenOk(t)) throw new UnauthorizedError('Wrong ML server token')
    ctx.type = 'text/plain'
    ctx.body = 'pong'
  }

  async function predict (ctx: Koa.Context) {
    const t = presented(ctx.req)
    if (t === undefined || !tokenOk(t)) {
      discardRest(ctx.req)
      throw new UnauthorizedError(t === undefined ? 'This ML server needs its token (Authorization: Bearer <HEARTH_ML_SERVER_TOKEN>)' : 'Wrong ML server token')
    }
    const { fields, image } = await readForm(ctx.req, maxBytes)
    const entries = parseEntries(fields.entries)
    const tasks = (Object.keys(entries) as ModelTask[])
    const other = otherModels(entries, models)
    if (other.length > 0) {
      const has = formatModelsHeader(Object.fromEntries(tasks.map((t) => [t, models[t]])))
      throw new HttpError(422, 'Unprocessable Entity',
        `This server has ${has}, not ${other.join(', ')}: embeddings of another model are not comparable with that model's. ` +
        'Ask for the model it has (Hearth: machineLearning.facialRecognition.modelName), or use a server that has the one asked for.',
        { [MODELS_HEADER]: has })
    }
    const text = fields.text
    const wantsImage = entries['facial-recognition'] !== undefined || entries.ocr !== undefined || (entries.clip !== undefined && 'visual' in entries.clip)
    if (wantsImage && (image === undefined || image.length === 0)) throw new BadRequestError('No image: send the picture as the "image" file')
    if (!wantsImage && text === undefined) throw new BadRequestError('No text: send the text to encode as the "text" field')

    const reply: Record<string, unknown> = {}
    const used: Partial<Record<ModelTask, string>> = {}
    try {
      if (entries.clip !== undefined && 'textual' in entries.clip) {
        reply.clip = await local.clip.encodeText(text!)
        used.clip = models.clip
      }
      if (entries.clip !== undefined && 'visual' in entries.clip) {
        const r = await local.clip.encodeImage(image!)
        reply.clip = r.embedding
        reply.imageWidth = r.imageWidth
        reply.imageHeight = r.imageHeight
        used.clip = models.clip
      }
      const fr = entries['facial-recognition']
      if (fr !== undefined) {
        // The lite pack's own calibrated thresholds decide (faces/analyzer.ts), as in the faces stage:
        // Immich's minScore (0.7) is on RetinaFace's scale, and BlazeFace's scores are not comparable.
        const r = await local.faces.detect(image!)
        reply['facial-recognition'] = r.faces
        reply.imageWidth = r.imageWidth
        reply.imageHeight = r.imageHeight
        used['facial-recognition'] = models['facial-recognition']
      }
      if (entries.ocr !== undefined) {
        const r = await local.ocr.read(image!, { minDetectionScore: entries.ocr.detection.options?.minScore, minRecognitionScore: entries.ocr.recognition.options?.minScore })
        reply.ocr = { text: r.text, box: r.box, boxScore: r.boxScore, textScore: r.textScore }
        reply.imageWidth = r.imageWidth
        reply.imageHeight = r.imageHeight
        used.ocr = models.ocr
      }
    } catch (err) {
      if (err instanceof UndecodableImageError) throw new BadRequestError(err.message)
      if (err instanceof ModelMissingError) throw new HttpError(501, 'Not Implemented', err.message)
      // A model failing: this request gets a 500 that says why; the node goes on.
      log.error({ err }, 'ML server: a model failed')
      throw new HttpError(500, 'Internal Server Error', `The model failed: ${(err as Error).message}`)
    }
    ctx.set(MODELS_HEADER, formatModelsHeader(used))
    ctx.body = reply
  }

  // Not API routes: the router would read the Bearer token as a user's session.
  return async (ctx, next) => {
    if (ctx.path === '/ml/ping' && (ctx.method === 'GET' || ctx.method === 'HEAD')) { ctx.state.routePath = '/ml/ping'; return ping(ctx) }
    if (ctx.path === '/ml/predict') {
      ctx.state.routePath = '/ml/predict'
      if (ctx.method !== 'POST') { discardRest(ctx.req); ctx.set('allow', 'POST'); throw new HttpError(405, 'Method Not Allowed', 'POST /ml/predict') }
      return predict(ctx)
    }
    return next()
  }
}
