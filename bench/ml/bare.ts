/**
 * The benchmarks' anchor: a bare `session.run` loop, in the benchmark's own thread, on sessions
 * created directly with onnxruntime-node and the options Hearth's sessions get (sessionOptions in
 * node/ml/runtime.ts), no worker thread, no copies: what the models alone cost. And the runtime
 * that records what the pipeline fed the models, for the bare loop to run again.
 *
 * @example
 * const recorder = recordingRuntime(runtime)        // give recorder.runtime to the pipeline
 * const recorded = await recorder.record(() => analyze(img))
 * const bare = bareSessions()
 * for (const c of recorded) await bare.run(c.path, c.feeds, c.threads)
 * await bare.close()
 */
import { availableParallelism } from 'node:os'
import ort from 'onnxruntime-node'
import { sessionOptions, type ModelRuntime, type TensorData } from '../../node/ml/runtime.ts'

export function bareSessions (threads = availableParallelism()) {
  const sessions = new Map<string, Promise<ort.InferenceSession>>()
  const session = (path: string, cap = threads) => {
    let s = sessions.get(path)
    if (s === undefined) { s = ort.InferenceSession.create(path, { ...sessionOptions(Math.min(threads, cap)), executionProviders: ['cpu'] } as ort.InferenceSession.SessionOptions); sessions.set(path, s) }
    return s
  }
  return {
    /** `cap`: the model's own cap on its threads, as the pipeline asked the runtime (ModelOptions). */
    async run (path: string, feeds: Record<string, TensorData>, cap?: number): Promise<void> {
      const inputs: Record<string, ort.Tensor> = {}
      for (const [name, t] of Object.entries(feeds)) inputs[name] = new ort.Tensor(t.type, t.data, t.dims)
      await (await session(path, cap)).run(inputs)
    },
    async close (): Promise<void> {
      for (const s of sessions.values()) await (await s).release()
      sessions.clear()
    },
  }
}

/** One model call as the pipeline made it. */
export interface RecordedCall { path: string, threads?: number, feeds: Record<string, TensorData> }

/**
 * `runtime` as the pipeline sees it, remembering every model call's inputs during `record`:
 * copies, since the pipelines reuse their tensor buffers from one run to the next or hand them
 * over to the inference thread; outside `record` (the timed rounds) nothing is copied, which
 * would be the benchmark's cost, not Hearth's.
 */
export function recordingRuntime (runtime: ModelRuntime) {
  let calls: RecordedCall[] | undefined
  const copy = (t: TensorData): TensorData => ({ ...t, data: t.data.slice() as TensorData['data'] })
  const recording: ModelRuntime = {
    ...runtime,
    model (path, options) {
      const h = runtime.model(path, options)
      return {
        ...h,
        path,
        loaded: h.loaded,
        describe: () => h.describe(),
        run: async (feeds, runOptions) => {
          calls?.push({ path, threads: options?.threads, feeds: Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, copy(t)])) })
          return h.run(feeds, runOptions)
        },
      }
    },
  }
  return {
    runtime: recording,
    /** The model calls `work` makes. */
    async record<T> (work: () => Promise<T>): Promise<{ result: T, calls: RecordedCall[] }> {
      calls = []
      try {
        const result = await work()
        return { result, calls }
      } finally { calls = undefined }
    },
  }
}
