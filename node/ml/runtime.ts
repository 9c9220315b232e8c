/**
 * The models' runtime: a model session loads on first use, is shared by every caller, and unloads
 * after an idle time so a NAS gets its memory back between batches. The sessions live in worker
 * threads (inference-thread.ts, the only importer of onnxruntime-node), so a model run never
 * stops the main thread: requests are served and the next image is decoded while a model runs.
 * There are two such threads by default (`workers`), so two models run at once: a run goes to
 * the less busy thread, and a model that asks for it (`replicate`) is loaded in each thread that
 * runs it; any other stays in one thread, the one holding the fewest such models. In Hearth the
 * threads run at a lower CPU priority (`nice`, ML_NICE), so the main thread gets a core first.
 * The execution provider is CUDA when asked for (or `auto` and a GPU with the CUDA provider is
 * present), else CPU; a CUDA session that cannot be created falls back to CPU with a warning.
 *
 * @example
 * const runtime = createModelRuntime({ provider: 'auto', threads: 0, idleMs: 300_000, log })
 * const detector = runtime.model('/data/models/lite/blazeface_back_256.onnx')
 * const out = await detector.run({ 'input:0': tensor(new Float32Array(256 * 256 * 3), [1, 256, 256, 3]) })
 * out['Identity:0'].data                  // Float32Array
 * await runtime.close()
 */
import { existsSync, readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { availableParallelism } from 'node:os'
import { dirname, join } from 'node:path'
import { Worker } from 'node:worker_threads'
import type { Logger } from 'pino'

export type Provider = 'auto' | 'cpu' | 'cuda'

export interface TensorData {
  data: Float32Array | BigInt64Array | Int32Array | Uint8Array
  dims: readonly number[]
  type: 'float32' | 'int64' | 'int32' | 'uint8'
}

/** Builds an input tensor. */
export function tensor (data: Float32Array | BigInt64Array | Int32Array | Uint8Array, dims: readonly number[]): TensorData {
  const type = data instanceof Float32Array ? 'float32' : data instanceof BigInt64Array ? 'int64' : data instanceof Int32Array ? 'int32' : 'uint8'
  return { data, dims, type }
}

/** A model failed to load or to run; the job that used it fails, the node does not. */
export class ModelError extends Error {
  constructor (message: string, options?: { cause?: unknown }) { super(message, options); this.name = 'ModelError' }
}

export interface ModelHandle {
  readonly path: string
  /**
   * Runs the model; loads it first if needed. The feeds are copied to the inference thread, except
   * SharedArrayBuffer-backed ones (shared) and, with `transfer`, the others too: their buffers are
   * moved there and unusable here afterwards (for tensors built for this one run, such as a 16 MB
   * page for the OCR detector, whose copy cost more than the model's own overhead).
   */
  run(feeds: Record<string, TensorData>, options?: { transfer?: boolean }): Promise<Record<string, TensorData>>
  /** Input and output names, once loaded (loads it). */
  describe(): Promise<{ inputs: string[], outputs: string[], provider: 'cpu' | 'cuda' }>
  readonly loaded: boolean
}

/**
 * What a caller knows about its model: `threads` caps its intra-op threads (below the runtime's);
 * `replicate`: it may be loaded in every inference thread, so runs of it at once go in parallel.
 * For models whose runs need little memory (the face models, OCR's recognizer on 48 px lines): a
 * session keeps an arena as large as its largest run, and a second copy of OCR's page detector
 * cost 350 MB more for no gain (bench/ml/README.md). Others stay in one thread.
 */
export interface ModelOptions { threads?: number, replicate?: boolean }

export interface ModelRuntime {
  /** The model at `path`; the options of its first caller hold. */
  model(path: string, options?: ModelOptions): ModelHandle
  /** The provider sessions are created with, once resolved ('auto' resolves at first load). */
  provider(): Provider
  /** How many inference threads it runs models in, at most. */
  readonly workers: number
  /** How many inference threads are up (each ends when it holds no model). */
  threadsRunning(): number
  close(): Promise<void>
}

export interface RuntimeOptions {
  provider: Provider
  /** Intra-op threads; 0 follows the cores. */
  threads: number
  /** Unload a model after this long unused. */
  idleMs: number
  /** Inference threads; by default defaultInferenceThreads(). */
  workers?: number
  /**
   * The inference threads' CPU priority, as a Linux nice value (0-19; 0 here, ML_NICE in Hearth): each thread
   * lowers its own (and onnxruntime's intra-op threads, started from it, inherit it), so the main
   * thread and the rest of the machine go first when the cores are busy.
   */
  nice?: number
  log?: Logger
}

/**
 * The inference threads' nice value in Hearth (HEARTH_ML_NICE): below the main thread's 0, so
 * requests and uploads go first when the models keep the cores busy (bench/ml/ocr.bench.ts
 * measures what the main thread waits with and without it).
 */
export const ML_NICE = 10

/** Whether this machine shows an NVIDIA GPU device. */
export function gpuDevicePresent (): boolean {
  return existsSync('/dev/nvidia0') || existsSync('/dev/nvidiactl')
}

/** Whether onnxruntime-node's CUDA provider library sits beside its binding (npm does not ship it; see providerReport). */
export function cudaProviderInstalled (): boolean {
  try {
    const bin = join(dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json')), 'bin')
    return readdirSync(bin, { recursive: true, encoding: 'utf8' }).some((f) => f.includes(`linux/${process.arch}/`) && f.endsWith('libonnxruntime_providers_cuda.so'))
  } catch { return false }
}

/** Whether a CUDA session could work here: a GPU device and the CUDA provider library. */
export function cudaAvailable (): boolean {
  return gpuDevicePresent() && cudaProviderInstalled()
}

/**
 * Which provider the models will run on with `configured` (HEARTH_ML_PROVIDER), in words, and
 * what to do when a GPU is there but cannot be used (`hearth doctor`).
 */
export function providerReport (configured: Provider, { device = gpuDevicePresent(), library = cudaProviderInstalled() } = {}): { ok: boolean | 'warn', detail: string, fix?: string } {
  const install = 'Install the CUDA provider (the host needs CUDA 12 and cuDNN 9): ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node, in Hearth\'s folder, then restart Hearth'
  if (configured === 'cpu') return { ok: true, detail: 'CPU (HEARTH_ML_PROVIDER=cpu)' }
  if (device && library) return { ok: true, detail: 'CUDA (a model whose CUDA session fails runs on the CPU, and the log says why)' }
  if (!device) return { ok: configured === 'cuda' ? 'warn' : true, detail: `CPU (no NVIDIA GPU device${configured === 'cuda' ? ', though HEARTH_ML_PROVIDER=cuda' : ''})`, fix: configured === 'cuda' ? 'Pass the GPU to Hearth (for Docker: --gpus all) or set HEARTH_ML_PROVIDER=auto' : undefined }
  return { ok: 'warn', detail: 'CPU: an NVIDIA GPU is present, but onnxruntime-node\'s CUDA provider is not installed', fix: install }
}

/** The options every session is created with (and bench/ml's bare loops). */
export function sessionOptions (threads: number) {
  // No spinning: between runs, onnxruntime's idle threads would otherwise busy-wait on the cores
  // that sharp's decodes and crops (and PostgreSQL) need; bench/ml/faces measured the face
  // pipeline ~10% faster without it, and the models themselves no slower.
  return { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' as const, logSeverityLevel: 3 as const, extra: { session: { intra_op: { allow_spinning: '0' } } } }
}

/** A message to the inference thread (inference-thread.ts). */
export type InferenceRequest = { id: number } & (
  | { op: 'load', path: string, provider: 'cpu' | 'cuda', threads: number }
  | { op: 'run', session: number, feeds: Record<string, TensorData> }
  | { op: 'release', session: number })

/** What an inference thread is started with. */
export interface InferenceThreadData { nice: number }

/** Its answer: `ok` (what the operation returns) or `error` (a message). */
export interface InferenceReply { id: number, ok?: unknown, error?: string }

/**
 * The worker thread that holds the sessions, started on first use and started again after it
 * stops (every session then loads again). Not kept alive while nothing is asked of it.
 */
class InferenceThread {
  private worker: Worker | undefined
  private readonly pending = new Map<number, { resolve: (v: unknown) => void, reject: (e: Error) => void }>()
  private nextId = 1
  /** Counts workers started: a session id is only good in the worker that made it. */
  generation = 0
  private readonly log: Logger | undefined
  private readonly nice: number
  constructor (log?: Logger, nice = 0) { this.log = log; this.nice = nice }

  call (req: InferenceRequest extends infer R ? R extends { id: number } ? Omit<R, 'id'> : never : never, transfer: ArrayBuffer[] = []): Promise<unknown> {
    const worker = this.start()
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      worker.ref()
      try {
        worker.postMessage({ ...req, id }, transfer)
      } catch (err) {
        this.pending.delete(id)
        reject(err as Error)
      }
    })
  }

  private start (): Worker {
    if (this.worker !== undefined) return this.worker
    const worker = new Worker(new URL('./inference-thread.ts', import.meta.url), { workerData: { nice: this.nice } satisfies InferenceThreadData })
    this.generation++
    worker.on('message', (reply: InferenceReply) => {
      const p = this.pending.get(reply.id)
      this.pending.delete(reply.id)
      if (this.pending.size === 0) worker.unref()
      if (reply.error !== undefined) p?.reject(new Error(reply.error))
      else p?.resolve(reply.ok)
    })
    const stopped = (why: string) => {
      if (this.worker !== worker) return
      this.worker = undefined
      if (this.pending.size > 0) this.log?.error({ why }, 'the inference thread stopped; its models load again on next use')
      for (const p of this.pending.values()) p.reject(new Error(`the inference thread stopped (${why})`))
      this.pending.clear()
    }
    worker.on('error', (err) => stopped(err.message))
    worker.on('exit', (code) => stopped(`exit code ${code}`))
    worker.unref()
    this.worker = worker
    return worker
  }

  get running (): boolean { return this.worker !== undefined }

  private reserved = 0
  /** Calls sent or about to be: how busy the thread is, for picking one. */
  get waiting (): number { return this.pending.size + this.reserved }
  /** Counts a call about to be sent (its model still loading) as waiting. */
  reserve (): void { this.reserved++ }
  unreserve (): void { this.reserved-- }

  /** Ends the thread (what it held goes with it); calls still waiting fail. */
  async stop (): Promise<void> {
    const w = this.worker
    this.worker = undefined
    for (const p of this.pending.values()) p.reject(new Error('the inference thread was stopped'))
    this.pending.clear()
    if (w !== undefined) await w.terminate()
  }

  /** Ends the thread when nothing is asked of it: its memory goes back to the system. */
  async stopIfIdle (): Promise<void> {
    if (this.pending.size === 0) await this.stop()
  }
}

/**
 * How many inference threads to run when not configured: two on a machine with two cores or
 * more. On the two-core development machine the window's faces backlog took 19-28% less time with
 * two threads than with one (bench/ml/faces.bench.ts): one thread ran one model at a time on one
 * core while the other core mostly waited; three threads gave no more. Many-core machines can set
 * more (HEARTH_ML_WORKERS).
 */
export function defaultInferenceThreads (cores = availableParallelism()): number {
  return cores >= 2 ? 2 : 1
}

export function createModelRuntime (options: RuntimeOptions): ModelRuntime {
  const handles = new Map<string, Handle>()
  let resolved: Provider = options.provider === 'auto' ? (cudaAvailable() ? 'cuda' : 'cpu') : options.provider
  const threads = options.threads > 0 ? options.threads : Math.max(1, availableParallelism())

  const pool = Array.from({ length: Math.max(1, options.workers ?? defaultInferenceThreads()) }, () => new InferenceThread(options.log, options.nice))
  /** The thread with the fewest calls waiting, among `among`; of equals, the first `prefer` accepts. */
  const leastBusy = (among: InferenceThread[], prefer: (t: InferenceThread) => boolean) =>
    among.reduce((best, t) => (t.waiting < best.waiting || (t.waiting === best.waiting && prefer(t) && !prefer(best)) ? t : best))

  class Handle implements ModelHandle {
    readonly path: string
    /** Its sessions, per inference thread, with the thread's generation each belongs to. */
    private readonly sessions = new Map<InferenceThread, { id: number, generation: number }>()
    private readonly loading = new Map<InferenceThread, Promise<number>>()
    readonly replicate: boolean
    private running = 0
    private idleTimer: NodeJS.Timeout | undefined
    private usedProvider: 'cpu' | 'cuda' = 'cpu'
    private names = { inputs: [] as string[], outputs: [] as string[] }
    private readonly threads: number
    constructor (path: string, modelOptions: ModelOptions) {
      this.path = path
      this.threads = Math.max(1, Math.min(threads, modelOptions.threads ?? threads))
      this.replicate = modelOptions.replicate ?? false
    }
    loadedIn (t: InferenceThread): boolean {
      const s = this.sessions.get(t)
      return s !== undefined && s.generation === t.generation
    }
    get loaded () { return pool.some((t) => this.loadedIn(t)) }
    /** Loading or running now. */
    get busy () { return this.running > 0 || this.loading.size > 0 }

    /**
     * Where the next run goes: the least busy thread, preferring one that has the model; a model
     * that does not replicate only where it is already loaded, or first where fewest such are.
     */
    private pick (): InferenceThread {
      const home = pool.filter((t) => this.holds(t))
      if (!this.replicate && home.length > 0) return leastBusy(home, () => true)
      if (!this.replicate) {
        // A model held in one thread goes where fewer such models are, so that CLIP's text model
        // (a search) does not queue behind its image model's backlog in the same thread.
        const pinned = (t: InferenceThread) => [...handles.values()].filter((h) => !h.replicate && h !== this && h.holds(t)).length
        const fewest = Math.min(...pool.map(pinned))
        return leastBusy(pool.filter((t) => pinned(t) === fewest), () => true)
      }
      return leastBusy(pool, (t) => this.loadedIn(t))
    }

    /** Loaded or loading in `t`. */
    holds (t: InferenceThread): boolean { return this.loadedIn(t) || this.loading.has(t) }

    private async load (thread: InferenceThread): Promise<number> {
      if (this.loadedIn(thread)) return this.sessions.get(thread)!.id
      let loading = this.loading.get(thread)
      if (loading === undefined) {
        loading = (async () => {
          if (!existsSync(this.path)) throw new ModelError(`model file ${this.path} is missing; run \`hearth models fetch\``)
          let r: { session: number, inputs: string[], outputs: string[], provider: 'cpu' | 'cuda', warning?: string, niceFailed?: string }
          try {
            r = await thread.call({ op: 'load', path: this.path, provider: resolved === 'cuda' ? 'cuda' : 'cpu', threads: this.threads }) as typeof r
          } catch (err) {
            throw new ModelError(`model ${this.path} could not be loaded: ${(err as Error).message}`, { cause: err })
          }
          if (r.niceFailed !== undefined) options.log?.warn({ err: r.niceFailed, nice: options.nice }, 'the inference thread could not lower its CPU priority; the models run at the same priority as the rest (HEARTH_ML_NICE)')
          if (r.warning !== undefined) {
            options.log?.warn({ model: this.path, err: r.warning }, 'CUDA session failed; using the CPU')
            if (options.provider === 'auto') resolved = 'cpu'
          }
          this.usedProvider = r.provider
          this.names = { inputs: r.inputs, outputs: r.outputs }
          this.sessions.set(thread, { id: r.session, generation: thread.generation })
          options.log?.debug({ model: this.path, provider: this.usedProvider, thread: pool.indexOf(thread) }, 'model loaded')
          return r.session
        })()
        this.loading.set(thread, loading)
      }
      try {
        return await loading
      } finally { this.loading.delete(thread) }
    }

    private touch () {
      clearTimeout(this.idleTimer)
      this.idleTimer = setTimeout(() => { void this.unload() }, options.idleMs)
      this.idleTimer.unref()
    }

    async unload () {
      clearTimeout(this.idleTimer)
      if (this.running > 0) return
      const held = [...this.sessions].filter(([t]) => this.loadedIn(t))
      this.sessions.clear()
      if (held.length === 0) return
      for (const [t, s] of held) await t.call({ op: 'release', session: s.id }).catch(() => {})
      options.log?.debug({ model: this.path }, 'model unloaded after idle time')
      // A thread left with no model ends, so an idle NAS gets all of it back (it starts again on
      // the next run, which loads its model anyway).
      for (const t of pool) {
        if (![...handles.values()].some((h) => h.loadedIn(t) || h.busy)) await t.stopIfIdle()
      }
    }

    async describe () {
      await this.load(this.pick())
      this.touch()
      return { inputs: [...this.names.inputs], outputs: [...this.names.outputs], provider: this.usedProvider }
    }

    async run (feeds: Record<string, TensorData>, runOptions: { transfer?: boolean } = {}): Promise<Record<string, TensorData>> {
      this.running++
      try {
        const thread = this.pick()
        thread.reserve()
        let session: number
        try {
          session = await this.load(thread)
        } finally { thread.unreserve() }
        const moved = runOptions.transfer === true ? [...new Set(Object.values(feeds).map((t) => t.data.buffer).filter((b) => b instanceof ArrayBuffer))] : []
        try {
          return await thread.call({ op: 'run', session, feeds }, moved) as Record<string, TensorData>
        } catch (err) {
          throw new ModelError(`model ${this.path} failed: ${(err as Error).message}`, { cause: err })
        }
      } finally {
        this.running--
        this.touch()
      }
    }
  }

  return {
    model (path, modelOptions = {}) {
      let h = handles.get(path)
      if (!h) { h = new Handle(path, modelOptions); handles.set(path, h) }
      return h
    },
    provider: () => resolved,
    workers: pool.length,
    threadsRunning: () => pool.filter((t) => t.running).length,
    async close () {
      for (const h of handles.values()) await h.unload()
      handles.clear()
      for (const t of pool) await t.stop()
    },
  }
}
