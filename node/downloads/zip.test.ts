/**
 * The streamed ZIP writer, checked by Info-ZIP's unzip (Debian's): the archive tests clean, lists
 * the names as given (UTF-8, an empty file), gives back each file byte for byte, and is exactly
 * as long as announced; with ZIP64 forced from 100 bytes (the layout a file of 4 GiB gets) it
 * still tests clean; a file that changes while it is archived stops the stream.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { uniqueNames, zipLength, zipStream, type ZipEntry, type ZipOptions } from './zip.ts'

async function files (dir: string): Promise<Array<ZipEntry & { data: Buffer }>> {
  const out: Array<ZipEntry & { data: Buffer }> = []
  for (const [name, data] of [['IMG_0001.jpg', randomBytes(70_000)], ['Zoë à la plage.jpg', randomBytes(1234)], ['empty.txt', Buffer.alloc(0)], ['clip.mov', randomBytes(300_000)]] as const) {
    const path = join(dir, `f${out.length}`)
    await writeFile(path, data)
    out.push({ name, path, size: data.length, modified: new Date('2019-07-14T16:32:10Z'), data })
  }
  return out
}

async function archive (dir: string, entries: ZipEntry[], o?: ZipOptions): Promise<string> {
  const file = join(dir, 'out.zip')
  await pipeline(Readable.from(zipStream(entries, o)), createWriteStream(file))
  return file
}

for (const [label, o] of [['plain', {}], ['ZIP64 from 100 bytes', { zip64From: 100 }]] as const) {
  test(`an archive unzip tests clean, with its names, bytes and announced length (${label})`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hearth-zip-'))
    try {
      const entries = await files(dir)
      const file = await archive(dir, entries, o)
      assert.equal((await stat(file)).size, zipLength(entries, o), 'exactly the announced length')
      execFileSync('unzip', ['-tq', file])
      assert.deepEqual(execFileSync('unzip', ['-Z1', file]).toString('utf8').trim().split('\n'), entries.map((e) => e.name))
      for (const e of entries) assert.ok(execFileSync('unzip', ['-p', file, e.name.replace(/[[\]*?]/g, '\\$&')], { maxBuffer: 1 << 24 }).equals(e.data), e.name)
      if (label !== 'plain') assert.match(execFileSync('unzip', ['-Zv', file]).toString(), /Zip64|zip64|64-bit/i, 'ZIP64 fields are there')
      // The date a zip tool shows is the photo's (2-second steps).
      assert.match(execFileSync('unzip', ['-Z', '-T', file]).toString(), /20190714\.16321[01]/)
    } finally { await rm(dir, { recursive: true, force: true }) }
  })
}

test('a file that grows while it is archived stops the stream with its name', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hearth-zip-'))
  try {
    const entries = await files(dir)
    await appendFile(entries[0]!.path, 'more')
    await assert.rejects(archive(dir, entries), /IMG_0001\.jpg changed while it was being archived \(70004 bytes, not 70000\)/)
    entries[0]!.size += 4
    await rm(entries[1]!.path)
    await assert.rejects(archive(dir, entries), /ENOENT/)
    assert.ok((await readFile(entries[0]!.path)).length === 70_004, 'the files themselves are only read')
  } finally { await rm(dir, { recursive: true, force: true }) }
})

test('names in an archive are made unique as Immich makes them (IMG_1+1.jpg), case aside', () => {
  assert.deepEqual(uniqueNames(['IMG_1.jpg', 'img_1.JPG', 'IMG_1.jpg', 'README', 'README', 'IMG_1+1.jpg']),
    ['IMG_1.jpg', 'img_1+1.JPG', 'IMG_1+2.jpg', 'README', 'README+1', 'IMG_1+1+1.jpg'])
})
