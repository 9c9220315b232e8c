/**
 * Benchmark media: files of any size that are real photos and videos, each distinct (Hearth takes
 * a repeat as a duplicate), made quickly.
 *
 * - A photo is a real JPEG (test/fixtures/tree/Beach/sea.jpg) with APP15 segments of random bytes
 *   inserted after its SOI marker: still a valid JPEG that decoders read as the small original.
 * - A video is a real 2-second H.264 MP4 made by ffmpeg (moov first), followed by one top-level
 *   `free` box (64-bit size) that fills it to the size asked: a valid MP4 of any size.
 *
 * Padding is one random 1 MiB block repeated, each copy stamped with its index and the file's own
 * seed, so the bytes are never zeros, never sparse, and differ between files.
 *
 * @example
 * await writePhoto('/tmp/a.jpg', 2 * MiB)
 * await writeVideo('/tmp/b.mp4', 500 * MiB, await baseVideo('/tmp'))
 */
import { execFileSync } from 'node:child_process'
import { randomFillSync, randomInt } from 'node:crypto'
import { open, readFile } from 'node:fs/promises'
import { join } from 'node:path'

export const MiB = 1024 * 1024

const baseJpeg = new URL('../../test/fixtures/tree/Beach/sea.jpg', import.meta.url)

/** Writes `size` bytes to `path` from `head`, a padding of stamped random blocks, then `tail`; fsyncs. */
async function writePadded (path: string, size: number, head: Buffer, tail: Buffer, padFrame: (block: Buffer, pos: number) => number, onBytes?: (n: number) => void) {
  const block = randomFillSync(Buffer.allocUnsafe(MiB))
  const seed = randomInt(2 ** 31)
  const fh = await open(path, 'w')
  try {
    let pos = 0
    await fh.write(head, 0, head.length, pos)
    pos += head.length
    const padEnd = size - tail.length
    for (let i = 0; pos < padEnd; i++) {
      block.writeUInt32BE(i, 0)
      block.writeUInt32BE(seed, 4)
      // The caller frames the padding (JPEG segment headers) inside the block where needed.
      const n = padFrame(block, Math.min(MiB, padEnd - pos))
      await fh.write(block, 0, n, pos)
      pos += n
      onBytes?.(n)
    }
    await fh.write(tail, 0, tail.length, pos)
    await fh.sync()
  } finally {
    await fh.close()
  }
}

/**
 * A real JPEG of exactly `size` bytes. APPn segments carry at most 65533 bytes of payload, so the
 * padding is a run of segments: every block of 65536 bytes starts with FF EF 00 00+... headers.
 */
export async function writePhoto (path: string, size: number, onBytes?: (n: number) => void) {
  const jpeg = await readFile(baseJpeg)
  const SEG = 65536 // marker (2) + length (2) + 65532 payload
  let pad = size - jpeg.length
  if (pad < 0) throw new Error(`a photo cannot be smaller than ${jpeg.length} bytes`)
  // Whole segments, plus one last shorter one (at least 4 bytes: marker and length).
  if (pad % SEG !== 0 && pad % SEG < 4) throw new Error(`photo size ${size}: choose a size whose padding is not 1 to 3 bytes over a multiple of ${SEG}`)
  const head = jpeg.subarray(0, 2) // SOI
  const tail = jpeg.subarray(2)
  let written = 0
  await writePadded(path, size, head, tail, (block, n) => {
    // n is MiB (a multiple of SEG) except for the last block: lay segment headers every SEG bytes.
    for (let off = 0; off < n; off += SEG) {
      const len = Math.min(SEG, n - off) - 2
      block[off] = 0xff
      block[off + 1] = 0xef
      block.writeUInt16BE(len, off + 2)
    }
    written += n
    return n
  }, onBytes)
  pad -= written
  if (pad !== 0) throw new Error(`internal: ${pad} bytes of padding left`)
}

/** A 2-second H.264 MP4 (moov before mdat), made once per benchmark run in `dir`. */
export async function baseVideo (dir: string): Promise<Buffer> {
  const out = join(dir, 'base.mp4')
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-t', '2',
    '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', out])
  return readFile(out)
}

/** A valid MP4 of exactly `size` bytes: `base`, then one `free` box with a 64-bit size. */
export async function writeVideo (path: string, size: number, base: Buffer, onBytes?: (n: number) => void) {
  const boxSize = size - base.length
  if (boxSize < 16) throw new Error(`a video cannot be smaller than ${base.length + 16} bytes`)
  const header = Buffer.alloc(16)
  header.writeUInt32BE(1, 0) // 1: the real size follows the type, as 64 bits
  header.write('free', 4, 'latin1')
  header.writeBigUInt64BE(BigInt(boxSize), 8)
  await writePadded(path, size, Buffer.concat([base, header]), Buffer.alloc(0), (_block, n) => n, onBytes)
}
