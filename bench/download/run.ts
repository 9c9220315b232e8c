/**
 * Download benchmark: 1 GiB of photos (200 files of 5 MiB, random, as JPEGs do not compress)
 * uploaded to a fresh Hearth on PGlite, then timed three ways, read to the end by an HTTP client:
 * POST /api/download/archive for all of them (a stored ZIP), beside two anchors in the same run:
 * the same files as 200 GET /api/assets/:id/original (no archive at all), and Info-ZIP's
 * `zip -0` writing the same files to a pipe (a stored ZIP by the reference tool). The server's
 * memory (RSS) is sampled while the archive streams.
 *
 * @example
 * node bench/download/run.ts
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { withBenchNode } from '../helpers/node.ts'

const files = Number(process.env.BENCH_FILES ?? 200)
const size = Number(process.env.BENCH_FILE_MB ?? 5) * 1024 * 1024
const total = files * size

async function drain (r: Response): Promise<number> {
  let n = 0
  for await (const chunk of r.body as unknown as AsyncIterable<Uint8Array>) n += chunk.length
  return n
}

const mbps = (bytes: number, ms: number) => `${(bytes / 1024 / 1024 / (ms / 1000)).toFixed(0).padStart(5)} MB/s`

await withBenchNode('download', undefined, async ({ node, client, me }) => {
  const dir = await mkdtemp(join(tmpdir(), 'hearth-bench-dl-'))
  try {
    const ids: string[] = []
    for (let i = 0; i < files; i++) {
      const r = await client.upload(me, { name: `IMG_${String(i).padStart(4, '0')}.jpg`, data: randomBytes(size) })
      if (r.status !== 201) throw new Error(`upload ${i}: ${r.status}`)
      ids.push(r.body.id as string)
    }
    const paths = (await node.db.query<{ original_path: string }>('SELECT original_path FROM assets WHERE id = ANY($1::uuid[]) ORDER BY original_path', [ids])).map((r) => r.original_path)
    await writeFile(join(dir, 'list'), paths.join('\n'))

    const rss: number[] = []
    const sampler = setInterval(() => rss.push(process.memoryUsage().rss), 50)
    const base = process.memoryUsage().rss
    let t = performance.now()
    const r = await fetch(`${node.url}/api/download/archive`, { method: 'POST', headers: { ...me.headers, 'content-type': 'application/json' }, body: JSON.stringify({ assetIds: ids }) })
    const got = await drain(r)
    const archiveMs = performance.now() - t
    clearInterval(sampler)
    if (got !== Number(r.headers.get('content-length'))) throw new Error(`archive: ${got} bytes, announced ${r.headers.get('content-length')}`)

    t = performance.now()
    let singles = 0
    for (const id of ids) singles += await drain(await fetch(`${node.url}/api/assets/${id}/original`, { headers: me.headers }))
    const singlesMs = performance.now() - t

    t = performance.now()
    const zipped = await new Promise<number>((resolve, reject) => {
      const z = spawn('zip', ['-0', '-q', '-', ...paths], { stdio: ['ignore', 'pipe', 'inherit'] })
      let n = 0
      z.stdout.on('data', (c: Buffer) => { n += c.length })
      z.on('error', reject)
      z.on('close', (code) => code === 0 ? resolve(n) : reject(new Error(`zip exited ${code}`)))
    })
    const zipMs = performance.now() - t

    console.log(`${files} files, ${(total / 1024 / 1024).toFixed(0)} MiB, PGlite (the node and the client in one process)
  POST /api/download/archive (stored ZIP)   ${(archiveMs / 1000).toFixed(2).padStart(6)} s  ${mbps(got, archiveMs)}   RSS +${((Math.max(...rss) - base) / 1024 / 1024).toFixed(0)} MiB at most
  anchor: ${files} GET original, one by one   ${(singlesMs / 1000).toFixed(2).padStart(6)} s  ${mbps(singles, singlesMs)}   archive / anchor ${(archiveMs / singlesMs).toFixed(2)}x
  anchor: Info-ZIP zip -0 to a pipe         ${(zipMs / 1000).toFixed(2).padStart(6)} s  ${mbps(zipped, zipMs)}   archive / zip ${(archiveMs / zipMs).toFixed(2)}x`)
  } finally { await rm(dir, { recursive: true, force: true }) }
})
