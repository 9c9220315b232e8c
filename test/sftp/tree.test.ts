/**
 * SFTP's /Uploads on each engine: folders persist on disk (the same working folder WebDAV shows),
 * RENAME refuses an existing target as SFTP v3 says, posix-rename@openssh.com replaces it and
 * the replaced original goes to the trash, overwriting does the same, statvfs@openssh.com answers.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import SftpClient from 'ssh2-sftp-client'
import { engines } from '../helpers/engines.ts'
import { startTestNode, type TestNode } from '../helpers/node.ts'
import type { Session } from '../helpers/client.ts'
import { sftpModule, type SftpModule } from '../../appliance/sftp/index.ts'
import { webdavModule } from '../../appliance/webdav/index.ts'

const EMAIL = 'admin@example.org'
const PASSWORD = 'correct horse battery'
const jpeg = () => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(2048)])

interface StatVfs { f_bsize: number, f_blocks: number, f_bfree: number, f_bavail: number, f_flag: number }
type RawSftp = { ext_openssh_statvfs(path: string, cb: (err: Error | undefined, s: StatVfs) => void): void, mkdir(path: string, cb: (err: Error | undefined) => void): void }

for (const engine of engines) {
  describe(`[${engine}] sftp /Uploads`, () => {
    let t: TestNode
    let admin: Session
    let userId: string
    const sftpOf = () => t.node.modules.find((m) => m.name === 'sftp') as SftpModule
    const connect = async (username = EMAIL, password = PASSWORD) => {
      const c = new SftpClient()
      await c.connect({ host: '127.0.0.1', port: sftpOf().port, username, password })
      return c
    }
    const assetsNamed = async (name: string) => {
      const r = await t.client.call('POST', '/api/search/metadata', { headers: admin.headers, body: { originalFileName: name, withDeleted: true, size: 100 } })
      return (r.body.assets.items as Array<{ id: string, originalFileName: string }>).filter((a) => a.originalFileName === name)
    }
    const asset = async (id: string) => (await t.client.call('GET', `/api/assets/${id}`, { headers: admin.headers })).body as { isTrashed: boolean, originalFileName: string, checksumSha256: string }

    before(async () => {
      t = await startTestNode(engine, { HEARTH_SFTP_PORT: '0' }, { modules: [webdavModule(), sftpModule({ host: '127.0.0.1' })] })
      admin = await t.client.signUpAdmin(EMAIL, PASSWORD)
      userId = (await t.client.call('GET', '/api/users/me', { headers: admin.headers })).body.id
    })
    after(async () => { await t.stop() })

    test('folders made with MKDIR are kept on disk, across a restart, and WebDAV shows them', async () => {
      let c = await connect()
      await c.mkdir('/Uploads/Trip')
      await c.mkdir('/Uploads/Trip/Day 1')
      await c.put(jpeg(), '/Uploads/Trip/Day 1/p.jpg')
      await c.end()
      assert.ok((await stat(join(t.dataDir, 'dav', userId, 'Uploads', 'Trip', 'Day 1'))).isDirectory())
      await sftpOf().stop!()
      await sftpOf().start!()
      c = await connect()
      try {
        assert.deepEqual((await c.list('/Uploads/Trip')).map((e) => e.name), ['Day 1'])
        assert.deepEqual((await c.list('/Uploads/Trip/Day 1')).map((e) => e.name), ['p.jpg'])
        // ssh2-sftp-client's mkdir looks first; the protocol's own MKDIR must fail on an existing folder.
        const raw = (c as unknown as { sftp: RawSftp }).sftp
        await assert.rejects(new Promise<void>((ok, fail) => raw.mkdir('/Uploads/Trip', (err) => err ? fail(err) : ok())), /exists/i)
        await assert.rejects(new Promise<void>((ok, fail) => raw.mkdir('/Uploads/Nope/Deeper', (err) => err ? fail(err) : ok())), /no such/i)
        await assert.rejects(c.rmdir('/Uploads/Trip'), /not empty/i)
      } finally { await c.end() }
      const r = await fetch(`${t.url}/dav/Uploads/Trip/Day%201/`, { method: 'PROPFIND', headers: { depth: '1', authorization: `Basic ${Buffer.from(`${EMAIL}:${PASSWORD}`).toString('base64')}` } })
      assert.match(await r.text(), /Day%201\/p\.jpg/)
    })

    test('RENAME onto an existing file fails; posix-rename replaces it and the old original goes to the trash', async () => {
      const c = await connect()
      try {
        const a = jpeg(), b = jpeg(), d = jpeg()
        await c.put(a, '/Uploads/a.jpg')
        await c.put(b, '/Uploads/b.jpg')
        const [assetA] = await assetsNamed('a.jpg')
        const [assetB] = await assetsNamed('b.jpg')
        await assert.rejects(c.rename('/Uploads/b.jpg', '/Uploads/a.jpg'), /exists/i)
        assert.ok((await c.get('/Uploads/a.jpg') as Buffer).equals(a))
        await c.posixRename('/Uploads/b.jpg', '/Uploads/a.jpg')
        assert.ok((await c.get('/Uploads/a.jpg') as Buffer).equals(b))
        assert.equal(await c.exists('/Uploads/b.jpg'), false)
        assert.equal((await asset(assetA.id)).isTrashed, true, 'the replaced original is in the trash, not destroyed')
        const moved = await asset(assetB.id)
        assert.equal(moved.isTrashed, false)
        assert.equal(moved.originalFileName, 'a.jpg')
        // Overwriting with a plain put does the same.
        await c.put(d, '/Uploads/a.jpg')
        assert.ok((await c.get('/Uploads/a.jpg') as Buffer).equals(d))
        assert.equal((await asset(assetB.id)).isTrashed, true)
        assert.equal((await assetsNamed('a.jpg')).filter((x) => x.id !== assetA.id && x.id !== assetB.id).length, 1)
        // Putting an older version back brings its asset out of the trash.
        await c.put(a, '/Uploads/older.jpg')
        assert.equal((await asset(assetA.id)).isTrashed, false)
        // Removing a file sends its asset to the trash too.
        const [assetD] = (await assetsNamed('a.jpg')).filter((x) => x.id !== assetA.id && x.id !== assetB.id)
        await c.delete('/Uploads/a.jpg')
        assert.equal((await asset(assetD.id)).isTrashed, true)
        await assert.rejects(c.posixRename('/Uploads/Trip', '/Uploads/Trip/inside'), /itself|failure/i)
      } finally { await c.end() }
    })

    test('renaming a folder keeps its photos\' assets; removing one there trashes it', async () => {
      const c = await connect()
      try {
        await c.mkdir('/Uploads/Old')
        await c.put(jpeg(), '/Uploads/Old/kept.jpg')
        const [kept] = await assetsNamed('kept.jpg')
        await c.rename('/Uploads/Old', '/Uploads/New')
        assert.deepEqual((await c.list('/Uploads/New')).map((e) => e.name), ['kept.jpg'])
        assert.equal((await asset(kept.id)).isTrashed, false)
        await c.delete('/Uploads/New/kept.jpg')
        assert.equal((await asset(kept.id)).isTrashed, true, 'the path followed the rename')
      } finally { await c.end() }
    })

    test('statvfs@openssh.com reports the disk, capped by the quota, and read-only parts as such', async () => {
      await t.client.createUser(admin, 'quota@example.org', 'another good password', { quotaSizeInBytes: 10 * 1024 * 1024 })
      const c = await connect('quota@example.org', 'another good password')
      try {
        const raw = (c as unknown as { sftp: RawSftp }).sftp
        const statvfs = (p: string) => new Promise<StatVfs>((ok, fail) => raw.ext_openssh_statvfs(p, (err, s) => err ? fail(err) : ok(s)))
        const up = await statvfs('/Uploads')
        assert.ok(up.f_blocks * up.f_bsize <= 10 * 1024 * 1024 && up.f_blocks > 0 && up.f_bavail > 0, JSON.stringify(up))
        assert.equal(up.f_flag & 1, 0)
        assert.equal((await statvfs('/Libraries')).f_flag & 1, 1)
        await assert.rejects(statvfs('/Uploads/nothing-here'), /no such/i)
      } finally { await c.end() }
    })
  })
}
