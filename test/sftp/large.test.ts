/**
 * Large SFTP transfers with ssh2-sftp-client: 8 parallel fastPuts of distinct 100 MB videos (real
 * MP4s: a 2-second H.264 clip from ffmpeg followed by a `free` box of random bytes) into /Uploads.
 * Each must become exactly one asset with the right size and SHA-1, the original on disk must
 * hash the same, and a fastGet back must be byte-identical.
 *
 * One engine only (PGlite, the default): the 1.6 GB that cross the wire take most of the time and
 * do not depend on the database, whose part in an upload (one asset row) the other SFTP tests
 * cover on both engines. Running it twice would double the file's time for no new coverage.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { createHash, randomFillSync } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdtemp, open, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import SftpClient from 'ssh2-sftp-client'
import { startTestNode, type TestNode } from '../helpers/node.ts'
import type { Session } from '../helpers/client.ts'
import { sftpModule, type SftpModule } from '../../appliance/sftp/index.ts'

const EMAIL = 'admin@example.org'
const PASSWORD = 'correct horse battery'
const MiB = 1024 * 1024
const FILES = 8
const SIZE = 100 * MiB

const sftpOf = (t: TestNode) => t.node.modules.find((m) => m.name === 'sftp') as SftpModule

async function connect (t: TestNode) {
  const c = new SftpClient()
  await c.connect({ host: '127.0.0.1', port: sftpOf(t).port, username: EMAIL, password: PASSWORD, readyTimeout: 10_000 })
  ;(c as unknown as { client: { setNoDelay(on: boolean): void } }).client.setNoDelay(true)
  return c
}

async function hashFile (path: string, algorithm: 'sha1' | 'sha256') {
  const h = createHash(algorithm)
  for await (const chunk of createReadStream(path, { highWaterMark: MiB })) h.update(chunk as Buffer)
  return h.digest()
}

/** A valid MP4 of exactly `size` bytes: `base`, then one `free` box (64-bit size) of random 1 MiB blocks, each stamped. */
async function writeVideo (path: string, size: number, base: Buffer) {
  const header = Buffer.alloc(16)
  header.writeUInt32BE(1, 0)
  header.write('free', 4, 'latin1')
  header.writeBigUInt64BE(BigInt(size - base.length), 8)
  const block = randomFillSync(Buffer.allocUnsafe(MiB))
  const fh = await open(path, 'w')
  try {
    await fh.write(Buffer.concat([base, header]), 0, base.length + 16, 0)
    for (let pos = base.length + 16, i = 0; pos < size; i++) {
      block.writeUInt32BE(i, 0)
      const n = Math.min(MiB, size - pos)
      await fh.write(block, 0, n, pos)
      pos += n
    }
  } finally { await fh.close() }
}

describe('[pglite] sftp: 8 parallel fastPuts of 100 MB', () => {
  let t: TestNode
  let admin: Session
  let work: string
  const files: Array<{ name: string, path: string, sha1: Buffer, sha256: Buffer }> = []

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'hearth-sftp-large-'))
    t = await startTestNode('pglite', { HEARTH_SFTP_PORT: '0' }, { modules: [sftpModule({ host: '127.0.0.1' })] })
    admin = await t.client.signUpAdmin(EMAIL, PASSWORD)
    // Metadata and video jobs for 800 MB of uploads would take the CPU the transfers are tested with.
    const queues = await t.client.call('GET', '/api/jobs', { headers: admin.headers })
    assert.equal(queues.status, 200)
    for (const name of Object.keys(queues.body as object)) {
      assert.equal((await t.client.call('PUT', `/api/jobs/${name}`, { headers: admin.headers, body: { command: 'pause' } })).status, 200)
    }
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10', '-t', '1',
      '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', join(work, 'base.mp4')])
    const base = await readFile(join(work, 'base.mp4'))
    for (let i = 0; i < FILES; i++) {
      const path = join(work, `clip-${i}.mp4`)
      await writeVideo(path, SIZE, base)
      files.push({ name: `clip-${i}.mp4`, path, sha1: await hashFile(path, 'sha1'), sha256: await hashFile(path, 'sha256') })
    }
    assert.equal(new Set(files.map((f) => f.sha1.toString('hex'))).size, FILES, 'the generated files are distinct')
  })
  after(async () => {
    await t?.stop()
    if (work !== undefined) await rm(work, { recursive: true, force: true })
  })

  test('each upload becomes exactly one asset with the right size and SHA-1; fastGet gives the same bytes', async () => {
    const clients = await Promise.all(files.map(() => connect(t)))
    try {
      await Promise.all(files.map((f, i) => clients[i].fastPut(f.path, `/Uploads/${f.name}`)))

      const r = await t.client.call('POST', '/api/search/metadata', { headers: admin.headers, body: { size: 1000 } })
      assert.equal(r.status, 200)
      const assets = r.body.assets.items as Array<{ id: string, originalFileName: string, checksum: string }>
      assert.equal(assets.length, FILES, 'one asset per upload, no more')
      for (const f of files) {
        const mine = assets.filter((a) => a.originalFileName === f.name)
        assert.equal(mine.length, 1, `${f.name}: exactly one asset`)
        assert.equal(mine[0].checksum, f.sha1.toString('base64'), `${f.name}: SHA-1`)
        const full = await t.client.call('GET', `/api/assets/${mine[0].id}`, { headers: admin.headers })
        assert.equal(full.status, 200)
        assert.equal(Number(full.body.fileSize), SIZE, `${f.name}: size in the database`)
        assert.equal(full.body.type, 'VIDEO')
        const original = join(t.dataDir, full.body.originalPath as string)
        assert.equal((await stat(original)).size, SIZE, `${f.name}: size on disk`)
        assert.deepEqual(await hashFile(original, 'sha1'), f.sha1, `${f.name}: the original on disk`)
      }

      await Promise.all(files.map((f, i) => clients[i].fastGet(`/Uploads/${f.name}`, join(work, `back-${f.name}`))))
      for (const f of files) {
        const back = join(work, `back-${f.name}`)
        assert.equal((await stat(back)).size, SIZE, `${f.name}: downloaded size`)
        assert.deepEqual(await hashFile(back, 'sha256'), f.sha256, `${f.name}: downloaded bytes`)
      }
    } finally {
      await Promise.all(clients.map((c) => c.end()))
    }
  })
  test('writes out of file order (a client that seeks) still give the right SHA-1 and bytes', async () => {
    const c = await connect(t)
    try {
      const sftp = (c as unknown as { sftp: import('ssh2').SFTPWrapper }).sftp
      const data = Buffer.concat([(await readFile(files[0].path)).subarray(0, 3 * MiB), Buffer.from('out of order')])
      const call = <T>(fn: (cb: (err: Error | null | undefined, v?: T) => void) => void) => new Promise<T>((resolve, reject) => fn((err, v) => err ? reject(err) : resolve(v as T)))
      const handle = await call<Buffer>((cb) => sftp.open('/Uploads/seek.mp4', 'w', cb))
      // The second MiB first, then the rest, then the first MiB written twice (the second time is what counts).
      const at = (off: number, end: number) => call((cb) => sftp.write(handle, data, off, end - off, off, cb))
      await at(MiB, 2 * MiB)
      await at(2 * MiB, data.length)
      await call((cb) => sftp.write(handle, Buffer.alloc(MiB, 7), 0, MiB, 0, cb))
      await at(0, MiB)
      await call((cb) => sftp.close(handle, cb))
      const r = await t.client.call('POST', '/api/search/metadata', { headers: admin.headers, body: { size: 1000 } })
      const mine = (r.body.assets.items as Array<{ originalFileName: string, checksum: string }>).filter((a) => a.originalFileName === 'seek.mp4')
      assert.equal(mine.length, 1)
      assert.equal(mine[0].checksum, createHash('sha1').update(data).digest('base64'))
      assert.ok(Buffer.compare(await c.get('/Uploads/seek.mp4') as Buffer, data) === 0)
    } finally { await c.end() }
  })
})
