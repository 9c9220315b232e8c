/**
 * The inference thread: the only code that imports onnxruntime-node. It runs in a worker thread
 * (started by runtime.ts), holds the model sessions, and answers three messages: `load` a model
 * file (CUDA when asked and it works, else CPU), `run` a loaded session on tensors, `release` it.
 *
 * Why a thread of its own: onnxruntime-node's `session.run` returns a promise but runs the model
 * synchronously on the calling thread (microsoft/onnxruntime#26968). On the main thread every
 * model run (5 ms for a face, 300 ms for a page of text) stopped the HTTP server and everything
 * else for its whole length; here the main thread goes on serving requests and preparing the next
 * image while the model runs.
 *
 * @example
 * // runtime.ts
 * const worker = new Worker(new URL('./inference-thread.ts', import.meta.url))
 * worker.postMessage({ id: 1, op: 'load', path, provider: 'cpu', threads: 2 })
 * // ← { id: 1, ok: { session: 1, inputs: ['input'], outputs: ['output'], provider: 'cpu' } }
 */
import { setPriority } from 'node:os'
import { parentPort, workerData } from 'node:worker_threads'
import ort from 'onnxruntime-node'
import { sessionOptions, type InferenceRequest, type InferenceReply, type InferenceThreadData, type TensorData } from './runtime.ts'

const sessions = new Map<number, ort.InferenceSession>()
let nextSession = 1

// This thread's own priority (on Linux, setpriority on the calling thread changes that thread
// only); the intra-op threads onnxruntime starts from here inherit it. Said once, in the first
// load's reply, when it cannot be lowered.
const { nice } = workerData as InferenceThreadData
let niceFailed: string | undefined
if (nice > 0) {
  try { setPriority(nice) } catch (err) { niceFailed = (err as Error).message }
}

async function load (path: string, provider: 'cpu' | 'cuda', threads: number): Promise<{ session: number, inputs: string[], outputs: string[], provider: 'cpu' | 'cuda', warning?: string, niceFailed?: string }> {
  const base = sessionOptions(threads) as ort.InferenceSession.SessionOptions
  let warning: string | undefined
  let created: { s: ort.InferenceSession, provider: 'cpu' | 'cuda' } | undefined
  if (provider === 'cuda') {
    try {
      created = { s: await ort.InferenceSession.create(path, { ...base, executionProviders: ['cuda', 'cpu'] }), provider: 'cuda' }
    } catch (err) {
      warning = `CUDA session failed (${(err as Error).message}); using the CPU`
    }
  }
  created ??= { s: await ort.InferenceSession.create(path, { ...base, executionProviders: ['cpu'] }), provider: 'cpu' }
  const session = nextSession++
  sessions.set(session, created.s)
  const unlowered = niceFailed
  niceFailed = undefined
  return { session, inputs: [...created.s.inputNames], outputs: [...created.s.outputNames], provider: created.provider, ...(warning === undefined ? {} : { warning }), ...(unlowered === undefined ? {} : { niceFailed: unlowered }) }
}

async function run (session: number, feeds: Record<string, TensorData>): Promise<Record<string, TensorData>> {
  const s = sessions.get(session)
  if (s === undefined) throw new Error(`session ${session} is not loaded`)
  const inputs: Record<string, ort.Tensor> = {}
  for (const [name, t] of Object.entries(feeds)) inputs[name] = new ort.Tensor(t.type, t.data, t.dims)
  const results = await s.run(inputs)
  const out: Record<string, TensorData> = {}
  for (const [name, value] of Object.entries(results)) {
    const t = value as ort.Tensor
    out[name] = { data: t.data as TensorData['data'], dims: [...t.dims], type: t.type as TensorData['type'] }
  }
  return out
}

async function release (session: number): Promise<void> {
  const s = sessions.get(session)
  sessions.delete(session)
  await s?.release()
}

/** The outputs' buffers, each once: moved to the main thread rather than copied. */
function transferables (value: unknown): ArrayBuffer[] {
  if (typeof value !== 'object' || value === null) return []
  const buffers = new Set<ArrayBuffer>()
  for (const t of Object.values(value)) {
    const data = (t as Partial<TensorData>).data
    if (ArrayBuffer.isView(data) && data.buffer instanceof ArrayBuffer) buffers.add(data.buffer)
  }
  return [...buffers]
}

const port = parentPort
if (port === null) throw new Error('inference-thread.ts runs as a worker thread (see runtime.ts)')
port.on('message', (msg: InferenceRequest) => {
  void (async () => {
    let reply: InferenceReply
    try {
      const ok = msg.op === 'load'
        ? await load(msg.path, msg.provider, msg.threads)
        : msg.op === 'run' ? await run(msg.session, msg.feeds) : await release(msg.session)
      reply = { id: msg.id, ok }
    } catch (err) {
      reply = { id: msg.id, error: (err as Error).message ?? String(err) }
    }
    try {
      port.postMessage(reply, transferables(reply.ok))
    } catch {
      port.postMessage(reply) // a buffer that cannot be moved is copied
    }
  })()
})
