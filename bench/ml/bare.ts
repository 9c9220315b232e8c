/**
 * The benchmarks' anchor: a bare `session.run` loop, in the benchmark's own thread, on sessions
 * created directly with onnxruntime-node and the options Hearth's sessions get (sessionOptions in
 * node/ml/runtime.ts), no worker thread, no copies: what the models alone cost.
 *
 * @example
 * const bare = bareSessions()
 * for (const c of recorded) await bare.run(c.path, c.feeds)
 * await bare.close()
 */
import { availableParallelism } from 'node:os'
import ort from 'onnxruntime-node'
import { sessionOptions, type TensorData } from '../../node/ml/runtime.ts'

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
