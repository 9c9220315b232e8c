import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { createHash } from 'node:crypto'
import { createLibraryStorage, safeFileName, TooLargeError, DiskFullError } from './library.ts'

test('safeFileName keeps the last segment and drops what could escape or hide', () => {
  assert.equal(safeFileName('../../etc/passwd'), 'passwd')
  assert.equal(safeFileName('..\\..\\boot.ini'), 'boot.ini')
  assert.equal(safeFileName('a\u0000b\u0007c.jpg'), 'abc.jpg')
  assert.equal(safeFileName('..'), 'upload')
  assert.equal(safeFileName('.hidden.jpg'), 'hidden.jpg')
  assert.equal(safeFileName(''), 'upload')
  assert.ok(Buffer.byteLength(safeFileName(`${'é'.repeat(300)}.jpg`)) <= 200)
  assert.ok(safeFileName(`${'é'.repeat(300)}.jpg`).endsWith('.jpg'))
})

test('writeTemp hashes as it writes, and removes the file past the limit', async () => {
  const storage = createLibraryStorage(await mkdtemp(join(tmpdir(), 'hearth-lib-')))
  await storage.init()
  const data = Buffer.alloc(300_000, 7)
  const w = await storage.writeTemp(Readable.from([data.subarray(0, 100_000), data.subarray(100_000)]))
  assert.equal(w.size, data.length)
  assert.deepEqual(w.sha1, createHash('sha1').update(data).digest())
  assert.deepEqual(w.sha256, createHash('sha256').update(data).digest())
  assert.deepEqual(await readFile(w.tempPath), data)
  await assert.rejects(storage.writeTemp(Readable.from([data]), { limit: 1000 }), TooLargeError)
  assert.deepEqual((await readdir(storage.partialDir)).filter((n) => n !== w.tempPath.split('/').pop()), [])
})

test('a write that hits ENOSPC becomes DiskFullError and leaves nothing', async () => {
  const storage = createLibraryStorage(await mkdtemp(join(tmpdir(), 'hearth-lib-')))
  await storage.init()
  const failing = new Readable({
    read () { this.destroy(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' })) },
  })
  await assert.rejects(storage.writeTemp(failing), DiskFullError)
  assert.deepEqual(await readdir(storage.partialDir), [])
})

test('place never overwrites: a taken name gets +1, and each candidate is reserved first', async () => {
  const storage = createLibraryStorage(await mkdtemp(join(tmpdir(), 'hearth-lib-')))
  await storage.init()
  const planned = storage.plannedPath('alice', new Date('2023-05-06T00:00:00Z'), 'IMG_1.jpg')
  assert.ok(planned.endsWith('/library/alice/2023/05/IMG_1.jpg'))
  const reserved: string[] = []
  const released: string[] = []
  const a = await storage.writeTemp(Readable.from([Buffer.from('first')]))
  const first = await storage.place(a.tempPath, planned, async (c) => { reserved.push(c) }, async (c) => { released.push(c) })
  const b = await storage.writeTemp(Readable.from([Buffer.from('second')]))
  const second = await storage.place(b.tempPath, planned, async (c) => { reserved.push(c) }, async (c) => { released.push(c) })
  assert.equal(first, planned)
  assert.ok(second.endsWith('/IMG_1+1.jpg'))
  assert.equal(await readFile(first, 'utf8'), 'first')
  assert.equal(await readFile(second, 'utf8'), 'second')
  assert.deepEqual(reserved, [planned, planned, second])
  assert.deepEqual(released, [planned])
})

test('paths outside the library are refused', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hearth-lib-'))
  const storage = createLibraryStorage(dir)
  await storage.init()
  await writeFile(join(dir, 'precious.jpg'), 'keep me')
  await assert.rejects(storage.remove(join(dir, 'precious.jpg')), /escapes the library/)
  assert.equal(await readFile(join(dir, 'precious.jpg'), 'utf8'), 'keep me')
  assert.throws(() => storage.plannedPath('../x', new Date(), 'a.jpg'), /escapes the library/)
})
