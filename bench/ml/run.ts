/**
 * Runs every ML benchmark in this folder (`*.bench.ts`: faces, OCR, vectors, and any added later),
 * one after another in separate processes, so one's models and heap do not weigh on the next.
 * Each prints its own figures beside its anchor; this prints which ran, how long, and how each ended.
 *
 * @example
 * node bench/ml/run.ts                  # all
 * node bench/ml/run.ts faces ocr        # those whose names contain these words
 * BENCH_DATABASE_URL=postgres://... node bench/ml/run.ts vectors -- --sizes 100000 --engines postgres
 */
import { spawn } from 'node:child_process'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'

const here = import.meta.dirname
const argv = process.argv.slice(2)
const split = argv.indexOf('--')
const filters = split === -1 ? argv : argv.slice(0, split)
const passThrough = split === -1 ? [] : argv.slice(split + 1)

const all = (await readdir(here)).filter((f) => f.endsWith('.bench.ts')).sort()
const chosen = all.filter((f) => filters.length === 0 || filters.some((w) => f.includes(w)))
if (chosen.length === 0) {
  console.error(`no benchmark matches ${filters.join(', ')}; there are: ${all.join(', ')}`)
  process.exit(64)
}

const results: Array<{ name: string, code: number | null, seconds: number }> = []
for (const file of chosen) {
  console.log(`\n=== ${file} ===`)
  const started = performance.now()
  const code = await new Promise<number | null>((ok) => {
    const child = spawn(process.execPath, [join(here, file), ...passThrough], { stdio: 'inherit', env: process.env })
    child.on('exit', (c) => ok(c))
  })
  results.push({ name: file, code, seconds: (performance.now() - started) / 1000 })
}

console.log('\n| benchmark | result | time |\n| --- | --- | --- |')
for (const r of results) console.log(`| ${r.name} | ${r.code === 0 ? 'ok' : `exit ${r.code}`} | ${r.seconds.toFixed(0)} s |`)
process.exitCode = results.every((r) => r.code === 0) ? 0 : 1
