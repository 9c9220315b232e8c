/**
 * Small pieces that bench/dav and bench/sftp share: progress lines, CPU time and memory of a
 * server process, clean-up of children and temporary folders whatever happens, medians.
 */
import { execFileSync } from 'node:child_process'
import { readdir, readFile, rm } from 'node:fs/promises'
import { memoryOf, resetPeak, type Running } from '../upload/servers.ts'
import { MiB } from './media.ts'

export const mb = (bytes: number) => (bytes / MiB).toFixed(0)
export const rate = (bytes: number, seconds: number) => seconds > 0 ? (bytes / MiB / seconds).toFixed(0) : '-'
export const pct = (x: number) => `${(100 * x).toFixed(0)}%`
export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
export const rounds = (xs: number[]) => xs.length > 1 ? ` (rounds: ${xs.map((x) => x.toFixed(0)).join(', ')})` : ''
export function sync () { execFileSync('sync') }

/** Parses a whole-number option: argv wins over the environment, which wins over the default. */
export function num (arg: string | undefined, env: string, fallback: number, min: number): number {
  const raw = arg ?? process.env[env]
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < min) { console.error(`${env}: expected a whole number >= ${min}, got "${raw}"`); process.exit(64) }
  return n
}

const tty = process.stderr.isTTY
/** A progress line on stderr (rewritten in place on a terminal, every 5 s otherwise). */
export function progress (label: string, totalBytes: number) {
  const t0 = performance.now()
  let bytes = 0
  let items = 0
  let lastPrint = 0
  const line = (final: boolean) => {
    const s = (performance.now() - t0) / 1000
    const text = `  ${label}: ${items} done, ${mb(bytes)} / ${mb(totalBytes)} MB (${(100 * bytes / Math.max(1, totalBytes)).toFixed(0)}%), ${s.toFixed(1)} s, ${rate(bytes, s)} MB/s`
    if (tty) process.stderr.write(`\r\x1b[K${text}${final ? '\n' : ''}`)
    else if (final || s - lastPrint >= 5) { process.stderr.write(text + '\n'); lastPrint = s }
  }
  const timer = setInterval(() => line(false), tty ? 500 : 1000)
  return {
    add (b: number, n = 1) { bytes += b; items += n },
    end () { clearInterval(timer); line(true) },
  }
}

const ticks = (() => { try { return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100 } catch { return 100 } })()

/** CPU seconds (user + system) of a process and its direct children (nginx's workers, sshd's session processes, recursively). */
export async function cpuSeconds (pid: number): Promise<number> {
  const procs = new Map<number, { ppid: number, cpu: number }>()
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = await readFile(`/proc/${name}/stat`, 'utf8')
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      procs.set(Number(name), { ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / ticks })
    } catch { /* gone */ }
  }
  const within = (p: number): boolean => p === pid || (p > 1 && procs.has(p) && within(procs.get(p)!.ppid))
  let total = 0
  for (const [p, info] of procs) if (within(p)) total += info.cpu
  return total
}

/** Children and temporary folders, removed at the end whatever happens (Ctrl-C included). */
export function cleanupRegistry (keep: boolean) {
  const running = new Set<Running>()
  const folders: string[] = []
  const extra: Array<() => Promise<void>> = []
  let cleaning: Promise<void> | undefined
  let interrupted = false
  const cleanup = () => {
    cleaning ??= (async () => {
      await Promise.allSettled([...running].map((r) => r.stop()))
      await Promise.allSettled(extra.map((f) => f()))
      for (const f of folders) {
        if (!keep) await rm(f, { recursive: true, force: true })
        else console.error(`kept ${f}`)
      }
    })()
    return cleaning
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      interrupted = true
      console.error(`\n${signal}: stopping servers and removing temporary files...`)
      void cleanup().finally(() => process.exit(130))
    })
  }
  return {
    running,
    get interrupted () { return interrupted },
    folder (path: string) { folders.push(path) },
    onCleanup (f: () => Promise<void>) { extra.push(f) },
    async started<T extends Running> (r: Promise<T>): Promise<T> { const s = await r; running.add(s); return s },
    async stopped (s: Running) { await s.stop(); running.delete(s) },
    cleanup,
  }
}

/** Waits until a process's RSS has stopped moving (start-up work in the background), at most 30 s. */
export async function settle (pid: number) {
  const deadline = Date.now() + 30_000
  let last = (await memoryOf(pid)).rss
  let still = 0
  while (Date.now() < deadline && still < 8) {
    await new Promise((r) => setTimeout(r, 250))
    const now = (await memoryOf(pid)).rss
    still = Math.abs(now - last) < 2 * MiB ? still + 1 : 0
    last = now
  }
}

export interface PeakResult { idle: number, peak: number, sampledPeak: number, reset: boolean, samples: number[] }

/**
 * Runs `work` while sampling a process's RSS every 100 ms, after resetting its VmHWM (so start-up's
 * own peak is not counted). The peak is the larger of VmHWM after the work and the highest sample;
 * `samples` (one a second) show whether memory stayed flat.
 */
export async function peakRssDuring (pid: number, work: () => Promise<void>): Promise<PeakResult> {
  await settle(pid)
  const idle = (await memoryOf(pid)).rss
  const reset = await resetPeak(pid)
  let sampledPeak = idle
  let failure: unknown
  const samples: number[] = []
  let n = 0
  const sampler = setInterval(() => {
    memoryOf(pid).then((m) => { sampledPeak = Math.max(sampledPeak, m.rss); if (n++ % 10 === 0) samples.push(m.rss) }, (err: unknown) => { failure = err })
  }, 100)
  try { await work() } finally { clearInterval(sampler) }
  if (failure !== undefined) throw new Error(`could not read /proc/${pid}/status: ${(failure as Error).message}`)
  const after = await memoryOf(pid)
  return { idle, peak: Math.max(sampledPeak, after.hwm, after.rss), sampledPeak, reset, samples }
}

/** One line of RSS samples (MB, one a second), shortened to at most 16 values. */
export function sampleLine (samples: number[]): string {
  const step = Math.max(1, Math.ceil(samples.length / 16))
  return samples.filter((_x, i) => i % step === 0).map((x) => mb(x)).join(' ')
}
