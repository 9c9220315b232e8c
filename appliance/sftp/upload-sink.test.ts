import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLibraryStorage, type LibraryStorage } from '../../node/storage/library.ts'
import { createUploadSink } from './upload-sink.ts'

const sha = (alg: string, b: Buffer) => createHash(alg).update(b).digest()

describe('sftp upload sink', () => {
  let dir: string
  let storage: LibraryStorage
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hearth-sink-'))
    storage = createLibraryStorage(dir)
    await storage.init()
  })
  after(async () => {
    await storage.close()
    await rm(dir, { recursive: true, force: true })
  })

  const sink = () => createUploadSink((s) => storage.writeTemp(s))
  const chunks = (data: Buffer, size: number) => {
    const out: Array<[number, Buffer]> = []
    for (let off = 0; off < data.length; off += size) out.push([off, data.subarray(off, off + size)])
    return out
  }
  async function check (s: ReturnType<typeof sink>, expected: Buffer) {
    const file = await s.finish()
    assert.equal(file.size, expected.length)
    assert.deepEqual(file.sha1, sha('sha1', expected))
    assert.deepEqual(file.sha256, sha('sha256', expected))
    assert.ok(Buffer.compare(await readFile(file.tempPath), expected) === 0)
    await rm(file.tempPath)
  }

  test('pipelined in-order writes are streamed and hashed', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 17)
    const s = sink()
    await Promise.all(chunks(data, 32 * 1024).map(([off, c]) => s.write(off, c)))
    await check(s, data)
  })

  test('writes that arrive ahead of a gap wait for it', async () => {
    const data = randomBytes(1024 * 1024)
    const parts = chunks(data, 4096)
    // Swap neighbours: every other write comes before the one it follows.
    for (let i = 0; i + 1 < parts.length; i += 2) [parts[i], parts[i + 1]] = [parts[i + 1], parts[i]]
    const s = sink()
    await Promise.all(parts.map(([off, c]) => s.write(off, c)))
    await check(s, data)
  })

  test('writing back over written bytes switches to positional writes; the last write wins', async () => {
    const data = randomBytes(256 * 1024)
    const s = sink()
    for (const [off, c] of chunks(data, 8192)) await s.write(off, c)
    const patch = randomBytes(1000)
    await s.write(5000, patch)
    patch.copy(data, 5000)
    await s.write(data.length, Buffer.from('tail'))
    await check(s, Buffer.concat([data, Buffer.from('tail')]))
  })

  test('a gap never filled reads as zeros (a sparse file)', async () => {
    const s = sink()
    await s.write(0, Buffer.from('abc'))
    await s.write(10, Buffer.from('xyz'))
    await check(s, Buffer.concat([Buffer.from('abc'), Buffer.alloc(7), Buffer.from('xyz')]))
  })

  test('abort leaves no temporary file, in either mode', async () => {
    const a = sink()
    await a.write(0, randomBytes(100_000))
    await a.abort()
    const b = sink()
    await b.write(0, randomBytes(100_000))
    await b.write(10, randomBytes(10))
    await b.abort()
    assert.deepEqual(await readdir(storage.partialDir), [])
  })
})
