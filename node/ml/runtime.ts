/**
 * The one place that talks to onnxruntime-node. A model session loads on first use, is shared by
 * every caller, and unloads after an idle time so a NAS gets its memory back between batches.
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
import { existsSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import type { Logger } from 'pino'
import ort from 'onnxruntime-node'

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
  /** Runs the model; loads it first if needed. Outputs are plain copies, safe to keep. */
  run(feeds: Record<string, TensorData>): Promise<Record<string, TensorData>>
  /** Input and output names, once loaded (loads it). */
  describe(): Promise<{ inputs: string[], outputs: string[], provider: 'cpu' | 'cuda' }>
  readonly loaded: boolean
}

export interface ModelRuntime {
  model(path: string): ModelHandle
  /** The provider sessions are created with, once resolved ('auto' resolves at first load). */
  provider(): Provider
  close(): Promise<void>
}

export interface RuntimeOptions {
  provider: Provider
  /** Intra-op threads; 0 follows the cores. */
  threads: number
  /** Unload a model after this long unused. */
  idleMs: number
  log?: Logger
}

/** Whether a CUDA session could work here: a GPU device and the CUDA provider library shipped with onnxruntime-node. */
export function cudaAvailable (): boolean {
  if (!existsSync('/dev/nvidia0') && !existsSync('/dev/nvidiactl')) return false
  try {
    return ort.listSupportedBackends().some((b: { name: string }) => b.name === 'cuda')
  } catch { return false }
}

export function createModelRuntime (options: RuntimeOptions): ModelRuntime {
  const handles = new Map<string, Handle>()
  let resolved: Provider = options.provider === 'auto' ? (cudaAvailable() ? 'cuda' : 'cpu') : options.provider
  const threads = options.threads > 0 ? options.threads : Math.max(1, availableParallelism())

  class Handle implements ModelHandle {
    readonly path: string
    private session: ort.InferenceSession | undefined
    private loading: Promise<ort.InferenceSession> | undefined
    private running = 0
    private idleTimer: NodeJS.Timeout | undefined
    private usedProvider: 'cpu' | 'cuda' = 'cpu'
    constructor (path: string) { this.path = path }
    get loaded () { return this.session !== undefined }

    private async load (): Promise<ort.InferenceSession> {
      if (this.session) return this.session
      this.loading ??= (async () => {
        if (!existsSync(this.path)) throw new ModelError(`model file ${this.path} is missing; run \`hearth models fetch\``)
        // No spinning: between runs, onnxruntime's idle threads would otherwise busy-wait on the
        // cores that sharp's decodes and crops (and PostgreSQL) need; bench/ml/faces measured the
        // face pipeline ~10% faster without it, and the models themselves no slower.
        const base: ort.InferenceSession.SessionOptions = { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all', logSeverityLevel: 3, extra: { session: { intra_op: { allow_spinning: '0' } } } }
        if (resolved === 'cuda') {
          try {
            const s = await ort.InferenceSession.create(this.path, { ...base, executionProviders: ['cuda', 'cpu'] })
            this.usedProvider = 'cuda'
            return s
          } catch (err) {
            options.log?.warn({ model: this.path, err: String(err) }, 'CUDA session failed; using the CPU')
            if (options.provider === 'auto') resolved = 'cpu'
          }
        }
        try {
          const s = await ort.InferenceSession.create(this.path, { ...base, executionProviders: ['cpu'] })
          this.usedProvider = 'cpu'
          return s
        } catch (err) {
          throw new ModelError(`model ${this.path} could not be loaded: ${(err as Error).message}`, { cause: err })
        }
      })()
      try {
        this.session = await this.loading
        options.log?.debug({ model: this.path, provider: this.usedProvider }, 'model loaded')
        return this.session
      } finally { this.loading = undefined }
    }

    private touch () {
      clearTimeout(this.idleTimer)
      this.idleTimer = setTimeout(() => { void this.unload() }, options.idleMs)
      this.idleTimer.unref()
    }

    async unload () {
      clearTimeout(this.idleTimer)
      if (this.running > 0 || !this.session) return
      const s = this.session
      this.session = undefined
      await s.release()
      options.log?.debug({ model: this.path }, 'model unloaded after idle time')
    }

    async describe () {
      const s = await this.load()
      this.touch()
      return { inputs: [...s.inputNames], outputs: [...s.outputNames], provider: this.usedProvider }
    }

    async run (feeds: Record<string, TensorData>): Promise<Record<string, TensorData>> {
      const s = await this.load()
      this.running++
      try {
        const inputs: Record<string, ort.Tensor> = {}
        for (const [name, t] of Object.entries(feeds)) inputs[name] = new ort.Tensor(t.type, t.data, t.dims)
        let results: ort.InferenceSession.OnnxValueMapType
        try {
          results = await s.run(inputs)
        } catch (err) {
          throw new ModelError(`model ${this.path} failed: ${(err as Error).message}`, { cause: err })
        }
        const out: Record<string, TensorData> = {}
        for (const [name, value] of Object.entries(results)) {
          const t = value as ort.Tensor
          out[name] = { data: t.data as TensorData['data'], dims: [...t.dims], type: t.type as TensorData['type'] }
        }
        return out
      } finally {
        this.running--
        this.touch()
      }
    }
  }

  return {
    model (path) {
      let h = handles.get(path)
      if (!h) { h = new Handle(path); handles.set(path, h) }
      return h
    },
    provider: () => resolved,
    async close () {
      for (const h of handles.values()) await h.unload()
      handles.clear()
    },
  }
}
