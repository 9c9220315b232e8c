/**
 * Ingest benchmark: Hearth's metadata + thumbnail + preview for camera-like 12-megapixel JPEGs,
 * side by side with libvips' own `vipsthumbnail` making the same two sizes from the same files on
 * the same cores. Prints photos per second for both, the ratio (goal >= 0.7), and peak RSS.
 *
 * @example
 * node bench/ingest/run.ts                      # 1000 photos
 * BENCH_PHOTOS=100 node bench/ingest/run.ts     # a quick run
 */
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { appendFile, copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import sharp from 'sharp'
import { createMetadataReader } from '../../node/media/metadata.ts'
import { createImageProcessor } from '../../node/media/image.ts'

const run = promisify(execFile)
const photos = Number(process.env.BENCH_PHOTOS ?? 1000)
const cores = availableParallelism()
const width = 4000
const height = 3000

/** Runs `task` over `items` with `limit` at a time. */
async function pool<T> (items: T[], limit: number, task: (item: T, i: number) => Promise<void>) {
  let next = 0
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) { const i = next++; await task(items[i], i) }
  }))
}

function progress (label: string, done: number, total: number) {
  if (process.stdout.isTTY) process.stdout.write(`\r  ${label} ${done}/${total}`)
  if (done === total && process.stdout.isTTY) process.stdout.write('\n')
}

/** Camera-like: a 12 MP photo with sensor noise and detail (not a flat colour that compresses to nothing), with EXIF. */
async function makeBase (path: string, seed: number) {
  const noise = randomBytes((width / 4) * (height / 4) * 3)
  const detail = await sharp(noise, { raw: { width: width / 4, height: height / 4, channels: 3 } }).resize(width, height, { kernel: 'cubic' }).raw().toBuffer()
  const gradient = Buffer.alloc(width * height * 3)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3
      gradient[o] = (x * 255 / width + seed * 40) & 255
      gradient[o + 1] = (y * 255 / height) & 255
      gradient[o + 2] = ((x + y) * 128 / width) & 255
    }
  }
  const mixed = Buffer.alloc(gradient.length)
  for (let i = 0; i < gradient.length; i++) mixed[i] = (gradient[i] * 3 + detail[i]) >> 2
  await sharp(mixed, { raw: { width, height, channels: 3 } })
    .withExif({ IFD0: { Make: 'Canon', Model: 'EOS 80D', Orientation: '1' }, IFD2: { DateTimeOriginal: '2023:06:14 10:11:12', ExposureTime: '1/250', FNumber: '8', ISOSpeedRatings: '100' } })
    .jpeg({ quality: 92 }).toFile(path)
}

async function main () {
  const dir = await mkdtemp(join(tmpdir(), 'hearth-bench-ingest-'))
  try {
    console.log(`bench/ingest: ${photos} photos of ${width}x${height} on ${cores} cores (files in ${dir})`)
    const src = join(dir, 'src')
    await mkdir(src)
    const bases = 8
    for (let b = 0; b < bases; b++) await makeBase(join(src, `base-${b}.jpg`), b)
    const files: string[] = []
    for (let i = 0; i < photos; i++) {
      const f = join(src, `IMG_${String(i).padStart(5, '0')}.jpg`)
      await copyFile(join(src, `base-${i % bases}.jpg`), f)
      // Distinct bytes after the end of the image: every file has its own checksum, as real photos do.
      await appendFile(f, randomBytes(16))
      files.push(f)
      if (i % 50 === 49 || i === photos - 1) progress('generating', i + 1, photos)
    }

    // Anchor: vipsthumbnail, one process per photo, as many at once as there are cores. The preview is
    // made from the original (shrink-on-load), the thumbnail from the preview: one decode of the
    // original, as Hearth does. Sizes match Hearth's: smaller side 1440 and 250.
    const vipsOut = join(dir, 'vips')
    await mkdir(vipsOut)
    let done = 0
    const v0 = performance.now()
    await pool(files, cores, async (f, i) => {
      const preview = join(vipsOut, `${i}-preview.jpg`)
      await run('vipsthumbnail', [f, '--size', '1920x1440', '-o', `${preview}[Q=80,strip]`])
      await run('vipsthumbnail', [preview, '--size', '333x250', '-o', join(vipsOut, `${i}-thumb.webp[Q=80,strip]`)])
      progress('vipsthumbnail', ++done, files.length)
    })
    const vipsSeconds = (performance.now() - v0) / 1000

    // Hearth, in a process of its own so its peak memory is its own: the same adapters and
    // concurrency the job queues use (metadata, then thumbnail and preview).
    const out = join(dir, 'hearth')
    await mkdir(out)
    const h0 = performance.now()
    // MALLOC_ARENA_MAX as bin/hearth sets it for the server.
    const child = await run(process.execPath, [import.meta.filename, '--hearth-stage', src, out], { maxBuffer: 1024 * 1024, env: { ...process.env, MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2' } })
    const hearthSeconds = (performance.now() - h0) / 1000
    const peakMb = Number(/peak=(\d+)/.exec(child.stdout)?.[1] ?? NaN) / 1024
    const rate = (s: number) => photos / s
    console.log(`
ingest (${photos} x 12 MP JPEG, metadata + 250 px WebP thumbnail + 1440 px JPEG preview, ${cores} at once)
  hearth          ${rate(hearthSeconds).toFixed(2)} photos/s  (${hearthSeconds.toFixed(1)} s)
  vipsthumbnail   ${rate(vipsSeconds).toFixed(2)} photos/s  (${vipsSeconds.toFixed(1)} s)
  ratio           ${(vipsSeconds / hearthSeconds).toFixed(2)}   (goal >= 0.70)
  hearth peak RSS ${peakMb.toFixed(0)} MB  (goal < 400 MB)`)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** The Hearth side, run as a child: processes every IMG_*.jpg in `src`, prints its peak RSS (KiB). */
async function hearthStage (src: string, out: string) {
  const { readdir } = await import('node:fs/promises')
  const files = (await readdir(src)).filter((f) => f.startsWith('IMG_')).sort().map((f) => join(src, f))
  const metadata = createMetadataReader()
  const image = createImageProcessor({ metadata })
  await pool(files, cores, async (f, i) => {
    const m = await metadata.read(f)
    await image.generate({ path: f, mimeType: 'image/jpeg', orientation: m.orientation }, { thumbnailPath: join(out, `${i}-thumbnail.webp`), previewPath: join(out, `${i}-preview.jpeg`) })
  })
  await metadata.close()
  await image.close()
  console.log(`peak=${process.resourceUsage().maxRSS}`)
}

if (process.argv[2] === '--hearth-stage') await hearthStage(process.argv[3], process.argv[4])
else await main()
