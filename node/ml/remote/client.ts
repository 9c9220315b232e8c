/**
 * Hearth's client for Immich's machine-learning protocol (`ml.remote`): sends work to the servers in
 * HEARTH_ML_URLS (an `immich-machine-learning` container, or another Hearth answering at `/ml`),
 * healthy ones first, in the order given. Each server is health-checked (`GET <url>/ping` within
 * `availabilityChecks.timeout`, again every `availabilityChecks.interval`); a server that fails a
 * request is marked unhealthy and the next is tried; when none answers the call throws
 * `RemoteUnavailableError`, so the stage falls back to its local model.
 *
 * Which model made an embedding: a Hearth server names it in `x-hearth-ml-models`, which is read
 * strictly (protocol.ts `replyModel`: a malformed or implausible header fails the call with
 * `RemoteModelError`); without the header (Immich's server) it is the model asked for. A Hearth
 * server that has not the model asked for refuses with a 422 carrying that header: the server stays
 * healthy (its other tasks may be fine), the next server is tried, and with none left the call
 * throws `RemoteUnavailableError`, so the stage runs its local model. The refusal is remembered
 * for `refusalMs` (the same models are not asked of that server again until then).
 *
 * A token for servers that need one (a Hearth ML server's HEARTH_ML_SERVER_TOKEN) comes from
 * HEARTH_ML_URLS_TOKEN (sent to every URL as `Authorization: Bearer`), or from the URL itself
 * (`http://:token@gpu-box:2283/ml`, taken out of the URL before use and never logged).
 *
 * @example
 * const remote = createRemoteMl({ urls: ['http://immich-ml:3003'], log })
 * remote.configure(settings.machineLearning)   // starts the health checks
 * if (remote.available()) await remote.faces.detect(jpeg, { minScore: 0.7 })
 */
import type { Logger } from 'pino'
import {
  MODELS_HEADER, parseEmbedding, parseModelsHeader, RemoteModelError, RemoteUnavailableError, replyModel,
  type DetectedFaces, type ImmichFace, type ImmichOcr, type PredictEntries, type RemoteMl,
} from '../protocol.ts'
import { CLIP_MODEL, DEFAULT_REMOTE_FACE_MODEL } from '../embedding-models.ts'

export interface RemoteSettings { enabled: boolean, urls: string[], availabilityChecks: { enabled: boolean, timeout: number, interval: number } }

interface Server {
  url: string
  base: string
  token?: string
  healthy: boolean | undefined
  /** The models asked for (askedModels) that this server refused, and until when that holds. */
  refused: Map<string, { until: number, why: string }>
}

/** Splits a credential out of a URL: `http://:secret@host/ml` → base `http://host/ml`, token `secret`. */
export function splitUrl (url: string, fallbackToken?: string): { base: string, token?: string, display: string } {
  const u = new URL(url)
  const token = u.password !== '' ? decodeURIComponent(u.password) : u.username !== '' ? decodeURIComponent(u.username) : fallbackToken
  u.username = ''
  u.password = ''
  const base = u.toString().replace(/\/+$/, '')
  return { base, token, display: base }
}

/** A server's reply that is not what the protocol says: the server is faulty, not the image. */
class BadReplyError extends Error {}

/** The models a request asks for, as one string (`facial-recognition/detection=buffalo_l;…`): what a refusal is remembered by. */
function askedModels (entries: PredictEntries): string {
  return Object.entries(entries).flatMap(([task, types]) => Object.entries(types as Record<string, { modelName?: string }>)
    .map(([type, e]) => `${task}/${type}=${e.modelName ?? ''}`)).sort().join(';')
}

export function createRemoteMl ({ urls = [], token, log, requestTimeoutMs = 120_000, refusalMs = 10 * 60_000, fetchImpl = fetch }: {
  urls?: string[]
  /** Sent as a Bearer token to every server without its own credential in the URL. */
  token?: string
  log: Logger
  /** A predict call that takes longer fails over to the next server. */
  requestTimeoutMs?: number
  /**
   * How long a server's refusal of a model (422 with the header) is remembered: until then the
   * same request goes straight to the next server or the local model, without sending the image
   * again or logging again (a backlog of 100,000 photos would otherwise upload each one to be
   * refused). After it, the server is asked again: its models may have been installed.
   */
  refusalMs?: number
  fetchImpl?: typeof fetch
}): RemoteMl & { configure(s: RemoteSettings): void, close(): void, servers(): Array<{ url: string, healthy: boolean | undefined }>, check(): Promise<void> } {
  let settings: RemoteSettings = { enabled: true, urls, availabilityChecks: { enabled: true, timeout: 2000, interval: 30_000 } }
  let servers: Server[] = []
  let timer: NodeJS.Timeout | undefined

  function setServers (list: string[]) {
    const old = new Map(servers.map((s) => [s.url, s]))
    servers = list.map((url) => {
      const { base, token: t } = splitUrl(url, token)
      return { url: base, base, token: t, healthy: old.get(base)?.healthy, refused: old.get(base)?.refused ?? new Map() }
    })
  }

  function setHealthy (s: Server, healthy: boolean, why?: string) {
    if (s.healthy !== healthy) {
      if (healthy) log.info({ url: s.url }, 'remote ML server is healthy')
      else log.warn({ url: s.url, why }, 'remote ML server is unhealthy')
    }
    s.healthy = healthy
  }

  const headers = (s: Server): Record<string, string> => s.token !== undefined ? { authorization: `Bearer ${s.token}` } : {}

  async function ping (s: Server) {
    try {
      const r = await fetchImpl(`${s.base}/ping`, { headers: headers(s), signal: AbortSignal.timeout(settings.availabilityChecks.timeout) })
      const body = await r.text()
      setHealthy(s, r.ok, r.ok ? undefined : `ping answered ${r.status}`)
      if (r.ok && body.trim() !== 'pong' && body.trim() !== '"pong"') log.debug({ url: s.url }, 'remote ML ping did not say pong')
    } catch (err) {
      setHealthy(s, false, (err as Error).message)
    }
  }

  const isHealthy = (s: Server) => !settings.availabilityChecks.enabled || s.healthy === true

  async function check () { await Promise.all(servers.map(ping)) }

  function schedule () {
    clearInterval(timer)
    timer = undefined
    if (!settings.enabled || servers.length === 0 || !settings.availabilityChecks.enabled) return
    void check()
    timer = setInterval(() => { void check() }, settings.availabilityChecks.interval).unref()
  }

  /** A server's answer: its JSON body, the server, and its `x-hearth-ml-models` header (null from Immich's server). */
  interface Reply { body: Record<string, unknown>, server: string, models: string | null }

  async function predict (entries: PredictEntries, input: { image: Buffer } | { text: string }, signal?: AbortSignal): Promise<Reply> {
    if (!settings.enabled || servers.length === 0) throw new RemoteUnavailableError('no remote ML server is configured')
    const order = [...servers.filter(isHealthy), ...servers.filter((s) => !isHealthy(s))]
    const failures: string[] = []
    const asking = askedModels(entries)
    for (const s of order) {
      signal?.throwIfAborted()
      const refusal = s.refused.get(asking)
      if (refusal !== undefined && refusal.until > Date.now()) { failures.push(`${s.url}: has not the model asked for (${refusal.why})`); continue }
      const form = new FormData()
      form.append('entries', JSON.stringify(entries))
      if ('image' in input) form.append('image', new Blob([new Uint8Array(input.image)]), 'image.jpg')
      else form.append('text', input.text)
      try {
        const timeout = AbortSignal.timeout(requestTimeoutMs)
        const r = await fetchImpl(`${s.base}/predict`, { method: 'POST', body: form, headers: headers(s), signal: signal !== undefined ? AbortSignal.any([signal, timeout]) : timeout })
        if (r.ok) {
          const body = await r.json() as unknown
          if (typeof body !== 'object' || body === null) throw new BadReplyError('the reply is not a JSON object')
          setHealthy(s, true)
          return { body: body as Record<string, unknown>, server: s.url, models: r.headers.get(MODELS_HEADER) }
        }
        const text = (await r.text()).slice(0, 300)
        const has = r.headers.get(MODELS_HEADER)
        if (r.status === 422 && has !== null) {
          // A Hearth server without the model asked for: it is healthy (its other tasks may be
          // fine), this task goes to the next server or to the local model.
          failures.push(`${s.url}: has not the model asked for (${text})`)
          setHealthy(s, true)
          s.refused.set(asking, { until: Date.now() + refusalMs, why: text })
          log.warn({ url: s.url, has: describeModels(has), reply: text, for: `${Math.round(refusalMs / 60_000)} min` }, 'remote ML server has not the model asked for; not asking it for this model for a while')
          continue
        }
        failures.push(`${s.url}: ${r.status} ${text}`)
        log.warn({ url: s.url, status: r.status, reply: text }, r.status === 401 ? 'remote ML server refused the token (HEARTH_ML_URLS_TOKEN)' : 'remote ML request failed')
      } catch (err) {
        if (signal?.aborted === true) throw err
        failures.push(`${s.url}: ${(err as Error).message}`)
        log.warn({ url: s.url, err: (err as Error).message }, 'remote ML request failed')
      }
      setHealthy(s, false, failures.at(-1))
    }
    throw new RemoteUnavailableError(`no remote ML server answered (${failures.join('; ')})`)
  }

  /** What a refusal's header says the server has, for the log (a malformed one is quoted as it is). */
  function describeModels (header: string): string {
    try { return Object.entries(parseModelsHeader(header)).map(([t, m]) => `${t}=${m}`).join('; ') } catch { return JSON.stringify(header.slice(0, 200)) }
  }

  function num (v: unknown, what: string): number {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new BadReplyError(`remote ML reply: ${what} is not a number`)
    return v
  }

  function embedding (v: unknown): Float32Array {
    // Immich sends JSON text; a server sending a plain array is read too.
    if (typeof v === 'string') return parseEmbedding(v)
    if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return Float32Array.from(v as number[])
    throw new BadReplyError('remote ML reply: no embedding')
  }

  /**
   * A malformed reply is the server's fault: it counts as that server failing (the stage falls back).
   * A `RemoteModelError` (the reply's model cannot be known) comes through as it is: the job fails.
   */
  async function guarded<T> (call: () => Promise<T>): Promise<T> {
    try { return await call() } catch (err) {
      if (err instanceof BadReplyError || err instanceof SyntaxError) throw new RemoteUnavailableError(err.message, { cause: err })
      throw err
    }
  }

  function clipReply (asked: string, reply: Reply) {
    const e = embedding(reply.body.clip)
    return { embedding: e, model: replyModel({ header: reply.models, task: 'clip', asked, dimensions: [e.length], server: reply.server }) }
  }

  setServers(urls)

  return {
    available: () => settings.enabled && servers.some(isHealthy),

    configure (s) {
      settings = s
      setServers(s.urls)
      schedule()
    },

    close () { clearInterval(timer); timer = undefined },
    servers: () => servers.map((s) => ({ url: s.url, healthy: s.healthy })),
    check,

    clip: {
      encodeImage: async (image, o = {}) => guarded(async () => {
        const asked = o.modelName ?? CLIP_MODEL
        return clipReply(asked, await predict({ clip: { visual: { modelName: asked } } }, { image }, o.signal))
      }),
      encodeText: async (text, o = {}) => guarded(async () => {
        const asked = o.modelName ?? CLIP_MODEL
        return clipReply(asked, await predict({ clip: { textual: { modelName: asked, ...(o.language !== undefined ? { options: { language: o.language } } : {}) } } }, { text }, o.signal))
      }),
    },

    faces: {
      detect: async (image, o = {}): Promise<DetectedFaces & { model: string }> => guarded(async () => {
        const modelName = o.modelName ?? DEFAULT_REMOTE_FACE_MODEL
        const reply = await predict({ 'facial-recognition': { detection: { modelName, options: { minScore: o.minScore ?? 0.7 } }, recognition: { modelName } } }, { image }, o.signal)
        const r = reply.body
        const list = r['facial-recognition']
        if (!Array.isArray(list)) throw new BadReplyError('remote ML reply: no facial-recognition list')
        const dimensions: number[] = []
        const faces: ImmichFace[] = list.map((f: Record<string, unknown>) => {
          const b = (f.boundingBox ?? {}) as Record<string, unknown>
          const e = embedding(f.embedding)
          dimensions.push(e.length)
          return {
            boundingBox: { x1: num(b.x1, 'x1'), y1: num(b.y1, 'y1'), x2: num(b.x2, 'x2'), y2: num(b.y2, 'y2') },
            score: num(f.score, 'score'),
            embedding: typeof f.embedding === 'string' ? f.embedding : JSON.stringify(Array.from(e)),
          }
        })
        const model = replyModel({ header: reply.models, task: 'facial-recognition', asked: modelName, dimensions, server: reply.server })
        return { imageWidth: num(r.imageWidth, 'imageWidth'), imageHeight: num(r.imageHeight, 'imageHeight'), faces, model }
      }),
    },

    ocr: {
      read: async (image, o = {}) => guarded(async () => {
        const modelName = o.modelName ?? 'PP-OCRv5_mobile'
        const reply = await predict({
          ocr: {
            detection: { modelName, options: { minScore: o.minDetectionScore ?? 0.5, maxResolution: o.maxResolution ?? 736 } },
            recognition: { modelName, options: { minScore: o.minRecognitionScore ?? 0.8 } },
          },
        }, { image }, o.signal)
        const r = reply.body
        // OCR lines are not embeddings and are stored without a model, but the header is held to its grammar all the same.
        if (reply.models !== null && Object.keys(parseModelsHeader(reply.models)).join() !== 'ocr') {
          throw new RemoteModelError(`the ocr reply from ${reply.server} has ${MODELS_HEADER} ${JSON.stringify(reply.models)}, which does not name exactly its task`)
        }
        const out = r.ocr as Partial<ImmichOcr> | undefined
        if (out === undefined || !Array.isArray(out.text) || !Array.isArray(out.box) || !Array.isArray(out.boxScore) || !Array.isArray(out.textScore)) {
          throw new BadReplyError('remote ML reply: no ocr result')
        }
        const n = out.text.length
        if (out.box.length !== n * 8 || out.boxScore.length !== n || out.textScore.length !== n) throw new BadReplyError('remote ML reply: ocr arrays of different lengths')
        return {
          imageWidth: num(r.imageWidth, 'imageWidth'), imageHeight: num(r.imageHeight, 'imageHeight'),
          text: out.text.map(String), box: out.box.map((v) => num(v, 'box')), boxScore: out.boxScore.map((v) => num(v, 'boxScore')), textScore: out.textScore.map((v) => num(v, 'textScore')),
        }
      }),
    },
  }
}

/**
 * Runs `remote` when a remote server is configured and healthy, else (or when every server failed)
 * `local`. Errors other than "no server answered" (a bad image, a server refusing the input) come
 * through as they are.
 */
export async function remoteOrLocal<T> (remote: Pick<RemoteMl, 'available'>, useRemote: () => Promise<T>, local: () => Promise<T>, log?: Logger): Promise<T> {
  if (remote.available()) {
    try {
      return await useRemote()
    } catch (err) {
      if (!(err instanceof RemoteUnavailableError)) throw err
      log?.warn({ err: err.message }, 'remote ML unavailable; using the local model')
    }
  }
  return local()
}
