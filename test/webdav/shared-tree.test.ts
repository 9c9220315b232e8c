/**
 * The read-only parts of the tree (/Libraries, /Albums) over WebDAV and SFTP on each engine: what
 * they show, that they cannot be changed, and that no path leads out of the user's tree (`..`,
 * percent-encoding, Unicode look-alikes, absolute paths, symlinks inside a share pointing outside).
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { request } from 'node:http'
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import SftpClient from 'ssh2-sftp-client'
import { engines } from '../helpers/engines.ts'
import { startTestNode, type TestNode } from '../helpers/node.ts'
import type { Session } from '../helpers/client.ts'
import { uuidv7 } from '../../node/db/ids.ts'
import { webdavModule } from '../../appliance/webdav/index.ts'
import { sftpModule, type SftpModule } from '../../appliance/sftp/index.ts'

const EMAIL = 'admin@example.org'
const PASSWORD = 'correct horse battery'
const fixture = new URL('../fixtures/tree/Beach/sea.jpg', import.meta.url).pathname
const basic = `Basic ${Buffer.from(`${EMAIL}:${PASSWORD}`).toString('base64')}`

/** A raw request: fetch and URL would normalise `..` and encodings away before sending. */
function raw (url: string, method: string, path: string, headers: Record<string, string> = {}, body?: Buffer) {
  const u = new URL(url)
  return new Promise<{ status: number, body: string }>((ok, fail) => {
    const r = request({ host: u.hostname, port: u.port, path, method, headers: { authorization: basic, ...headers } }, (res) => {
      let text = ''
      res.setEncoding('utf8').on('data', (d: string) => { text += d }).on('end', () => ok({ status: res.statusCode!, body: text }))
    })
    r.on('error', fail)
    r.end(body)
  })
}

for (const engine of engines) {
  describe(`[${engine}] /Libraries and /Albums over WebDAV and SFTP`, () => {
    let t: TestNode
    let admin: Session
    let work: string
    let share: string
    let photo: Buffer
    let sftp: SftpClient
    const dav = (method: string, path: string, headers: Record<string, string> = {}, body?: string | Uint8Array) =>
      fetch(`${t.url}${path}`, { method, headers: { authorization: basic, ...headers }, body: body as BodyInit | undefined })

    before(async () => {
      work = await mkdtemp(join(tmpdir(), 'hearth-tree-'))
      share = join(work, 'share')
      const outside = join(work, 'outside')
      photo = await readFile(fixture)
      await mkdir(join(share, 'sub'), { recursive: true })
      await mkdir(outside)
      await writeFile(join(share, 'a.jpg'), photo)
      await writeFile(join(share, 'sub', 'b.jpg'), Buffer.from('b'))
      await writeFile(join(outside, 'secret.jpg'), Buffer.from('secret'))
      await symlink(outside, join(share, 'escape'))
      await symlink(join(outside, 'secret.jpg'), join(share, 'secret.jpg'))
      await symlink('a.jpg', join(share, 'inside-link.jpg'))
      t = await startTestNode(engine, { HEARTH_SFTP_PORT: '0' }, { modules: [webdavModule(), sftpModule({ host: '127.0.0.1' })] })
      admin = await t.client.signUpAdmin(EMAIL, PASSWORD)
      const me = await t.client.call('GET', '/api/users/me', { headers: admin.headers })
      await t.node.db.query('INSERT INTO libraries (id, owner_id, name, import_paths) VALUES ($1, $2, $3, $4)', [uuidv7(), me.body.id, 'Family', [share]])
      // Someone else's library is not shown.
      const other = await t.client.createUser(admin, 'other@example.org')
      const otherMe = await t.client.call('GET', '/api/users/me', { headers: other.headers })
      await t.node.db.query('INSERT INTO libraries (id, owner_id, name, import_paths) VALUES ($1, $2, $3, $4)', [uuidv7(), otherMe.body.id, 'NotYours', [outside]])
      const up = await t.client.upload(admin, { name: 'sea.jpg', data: photo })
      assert.equal(up.status, 201)
      const albumId = uuidv7()
      await t.node.db.query('INSERT INTO albums (id, owner_id, album_name, description) VALUES ($1, $2, $3, $4)', [albumId, me.body.id, 'Summer', ''])
      await t.node.db.query('INSERT INTO album_assets (album_id, asset_id) VALUES ($1, $2)', [albumId, up.body.id])
      // An album shared with the other user shows in their /Albums; one not shared does not.
      const shared = await t.client.call('POST', '/api/albums', { headers: admin.headers, body: { albumName: 'Family trip', assetIds: [up.body.id], albumUsers: [{ userId: otherMe.body.id, role: 'viewer' }] } })
      assert.equal(shared.status, 201, JSON.stringify(shared.body))
      sftp = new SftpClient()
      await sftp.connect({ host: '127.0.0.1', port: (t.node.modules.find((m) => m.name === 'sftp') as SftpModule).port, username: EMAIL, password: PASSWORD })
    })
    after(async () => {
      await sftp.end()
      await t.stop()
      await rm(work, { recursive: true, force: true })
    })

    test('WebDAV shows the user\'s shares as on disk and albums as folders of originals', async () => {
      const libs = await (await dav('PROPFIND', '/dav/Libraries/', { depth: '1' })).text()
      assert.match(libs, /\/dav\/Libraries\/Family\//)
      assert.doesNotMatch(libs, /NotYours/)
      const list = await (await dav('PROPFIND', '/dav/Libraries/Family/', { depth: '1' })).text()
      for (const n of ['a.jpg', 'sub/', 'inside-link.jpg']) assert.ok(list.includes(`/dav/Libraries/Family/${n}`), n)
      for (const n of ['escape', 'secret.jpg']) assert.ok(!list.includes(n), `${n} leads outside and is not listed`)
      assert.ok(Buffer.from(await (await dav('GET', '/dav/Libraries/Family/a.jpg')).arrayBuffer()).equals(photo))
      assert.equal(await (await dav('GET', '/dav/Libraries/Family/sub/b.jpg')).text(), 'b')
      const ranged = await dav('GET', '/dav/Libraries/Family/sub/b.jpg', { range: 'bytes=0-0' })
      assert.equal(ranged.status, 206)
      const albums = await (await dav('PROPFIND', '/dav/Albums/', { depth: '1' })).text()
      assert.match(albums, /\/dav\/Albums\/Summer\//)
      assert.match(albums, /\/dav\/Albums\/Family%20trip\//)
      assert.match(await (await dav('PROPFIND', '/dav/Albums/Summer/', { depth: '1' })).text(), /\/dav\/Albums\/Summer\/sea\.jpg/)
      assert.ok(Buffer.from(await (await dav('GET', '/dav/Albums/Summer/sea.jpg')).arrayBuffer()).equals(photo))
      // A read-only file may be copied into /Uploads.
      assert.equal((await dav('COPY', '/dav/Albums/Summer/sea.jpg', { destination: `${t.url}/dav/Uploads/copied.jpg` })).status, 201)
      assert.ok(Buffer.from(await (await dav('GET', '/dav/Uploads/copied.jpg')).arrayBuffer()).equals(photo))
    })

    test('WebDAV: symlinks leading out of a share are refused', async () => {
      assert.equal((await dav('GET', '/dav/Libraries/Family/secret.jpg')).status, 403)
      assert.equal((await dav('GET', '/dav/Libraries/Family/escape/secret.jpg')).status, 403)
      assert.equal((await dav('PROPFIND', '/dav/Libraries/Family/escape/', { depth: '1' })).status, 403)
      assert.equal((await dav('COPY', '/dav/Libraries/Family/secret.jpg', { destination: `${t.url}/dav/Uploads/stolen.jpg` })).status, 403)
      assert.equal((await dav('GET', '/dav/Uploads/stolen.jpg')).status, 404)
    })

    test('WebDAV: the read-only parts refuse every change with 403', async () => {
      await dav('PUT', '/dav/Uploads/mine.txt', {}, 'x')
      const refused: Array<[string, string, Record<string, string>, string?]> = [
        ['PUT', '/dav/Libraries/Family/new.jpg', {}, 'x'],
        ['PUT', '/dav/Libraries/Family/a.jpg', {}, 'x'],
        ['PUT', '/dav/Albums/Summer/new.jpg', {}, 'x'],
        ['MKCOL', '/dav/Libraries/Family/newdir', {}],
        ['MKCOL', '/dav/Albums/New', {}],
        ['DELETE', '/dav/Libraries/Family/a.jpg', {}],
        ['DELETE', '/dav/Albums/Summer/sea.jpg', {}],
        ['DELETE', '/dav/Albums/Summer', {}],
        ['MOVE', '/dav/Libraries/Family/a.jpg', { destination: `${t.url}/dav/Uploads/moved.jpg` }],
        ['MOVE', '/dav/Uploads/mine.txt', { destination: `${t.url}/dav/Libraries/Family/mine.txt` }],
        ['COPY', '/dav/Uploads/mine.txt', { destination: `${t.url}/dav/Albums/Summer/mine.txt` }],
        ['COPY', '/dav/Libraries/Family/sub', { destination: `${t.url}/dav/Uploads/sub` }],
        ['PROPPATCH', '/dav/Libraries/Family/a.jpg', { 'content-type': 'application/xml' }, '<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><x xmlns="urn:x">1</x></D:prop></D:set></D:propertyupdate>'],
        ['LOCK', '/dav/Libraries/Family/a.jpg', { 'content-type': 'application/xml' }, '<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>'],
      ]
      for (const [method, path, headers, body] of refused) assert.equal((await dav(method, path, headers, body)).status, 403, `${method} ${path}`)
      assert.ok((await readFile(join(share, 'a.jpg'))).equals(photo))
      assert.equal((await dav('GET', '/dav/Uploads/moved.jpg')).status, 404)
    })

    test('WebDAV: `..`, encoded, Unicode and absolute-path escapes are refused', async () => {
      for (const p of [
        '/dav/Uploads/../../etc/passwd', '/dav/Libraries/Family/%2e%2e/%2e%2e/outside/secret.jpg', '/dav/Libraries/Family/..%2fescape',
        '/dav/Libraries/Family/%2E%2E%5Csecret.jpg', '/dav/Uploads/%c0%ae%c0%ae/x', '/dav/Uploads/a%00b', '/dav/Libraries/Family/..%5c..%5cx',
      ]) {
        const r = await raw(t.url, 'GET', p)
        assert.ok(r.status === 400 || r.status === 403, `${p}: ${r.status}`)
      }
      // Look-alikes (fullwidth full stops, one-dot leader) are ordinary names on Linux: they lead nowhere.
      for (const p of ['/dav/Libraries/Family/%EF%BC%8E%EF%BC%8E/%EF%BC%8E%EF%BC%8E/outside/secret.jpg', '/dav/Libraries/Family/%E2%80%A5/secret.jpg', '/dav/Uploads/.%E2%80%8B./x']) {
        const r = await raw(t.url, 'GET', p)
        assert.ok(r.status === 404 || r.status === 400, `${p}: ${r.status}`)
        assert.ok(!r.body.includes('secret'), p)
      }
      // Absolute and foreign destinations.
      for (const destination of ['file:///etc/passwd', 'http://elsewhere.example/etc/passwd', '/etc/passwd', `${t.url}/dav/../etc/x`]) {
        const r = await raw(t.url, 'COPY', '/dav/Uploads/mine.txt', { destination })
        assert.ok(r.status >= 400, `${destination}: ${r.status}`)
      }
      assert.ok((await raw(t.url, 'GET', 'http://127.0.0.1/dav/Uploads/../../etc/passwd')).status >= 400)
    })

    test('albums shared with a user show in their /Albums, read-only; the owner\'s others do not', async () => {
      const otherBasic = `Basic ${Buffer.from('other@example.org:another good password').toString('base64')}`
      const list = await (await fetch(`${t.url}/dav/Albums/`, { method: 'PROPFIND', headers: { depth: '1', authorization: otherBasic } })).text()
      assert.match(list, /\/dav\/Albums\/Family%20trip\//)
      assert.doesNotMatch(list, /Summer/)
      const get = await fetch(`${t.url}/dav/Albums/Family%20trip/sea.jpg`, { headers: { authorization: otherBasic } })
      assert.ok(Buffer.from(await get.arrayBuffer()).equals(photo))
      assert.equal((await fetch(`${t.url}/dav/Albums/Family%20trip/sea.jpg`, { method: 'DELETE', headers: { authorization: otherBasic } })).status, 403)
      const c = new SftpClient()
      await c.connect({ host: '127.0.0.1', port: (t.node.modules.find((m) => m.name === 'sftp') as SftpModule).port, username: 'other@example.org', password: 'another good password' })
      try {
        assert.deepEqual((await c.list('/Albums')).map((e) => e.name), ['Family trip'])
        assert.deepEqual((await c.list('/Libraries')).map((e) => e.name), ['NotYours'])
      } finally { await c.end() }
    })

    test('SFTP shows the same shares and albums', async () => {
      assert.deepEqual((await sftp.list('/Libraries')).map((e) => e.name), ['Family'])
      assert.deepEqual((await sftp.list('/Libraries/Family')).map((e) => e.name).sort(), ['a.jpg', 'inside-link.jpg', 'sub'])
      assert.ok((await sftp.get('/Libraries/Family/a.jpg') as Buffer).equals(photo))
      assert.deepEqual((await sftp.list('/Albums')).map((e) => e.name).sort(), ['Family trip', 'Summer'])
      assert.deepEqual((await sftp.list('/Albums/Summer')).map((e) => e.name), ['sea.jpg'])
      assert.ok((await sftp.get('/Albums/Summer/sea.jpg') as Buffer).equals(photo))
      assert.equal((await sftp.stat('/Libraries/Family/a.jpg')).mode & 0o222, 0)
    })

    test('SFTP: symlinks out of a share, escapes and writes to read-only parts are refused', async () => {
      const deniedOrMissing = /denied|refused|no such/i
      await assert.rejects(sftp.get('/Libraries/Family/secret.jpg'), /denied/i)
      await assert.rejects(sftp.get('/Libraries/Family/escape/secret.jpg'), /denied/i)
      await assert.rejects(sftp.list('/Libraries/Family/escape'), /denied/i)
      for (const p of ['/Libraries/Family/../../outside/secret.jpg', '/Libraries/Family/sub/../../../outside/secret.jpg', 'Libraries/Family/..\\escape\\secret.jpg', '/Libraries/Family/\u0000x']) {
        await assert.rejects(sftp.get(p), /denied|refused/i, p)
      }
      for (const p of ['/Libraries/Family/\uff0e\uff0e/\uff0e\uff0e/outside/secret.jpg', '/Libraries/Family/\u2025/secret.jpg', '/etc/passwd', '//etc/passwd', '/Uploads/%2e%2e/x']) {
        await assert.rejects(sftp.get(p), deniedOrMissing, p)
      }
      await assert.rejects(sftp.put(Buffer.from('x'), '/Libraries/Family/new.jpg'), /denied/i)
      await assert.rejects(sftp.put(Buffer.from('x'), '/Libraries/Family/a.jpg'), /denied/i)
      await assert.rejects(sftp.put(Buffer.from('x'), '/Albums/Summer/x.jpg'), /denied/i)
      await assert.rejects(sftp.mkdir('/Libraries/Family/newdir'), /denied/i)
      await assert.rejects(sftp.mkdir('/Albums/New'), /denied/i)
      await assert.rejects(sftp.delete('/Libraries/Family/a.jpg'), /denied/i)
      await assert.rejects(sftp.delete('/Albums/Summer/sea.jpg'), /denied/i)
      await assert.rejects(sftp.rmdir('/Libraries/Family/sub'), /denied/i)
      await assert.rejects(sftp.rename('/Libraries/Family/a.jpg', '/Uploads/a.jpg'), /denied/i)
      await sftp.put(Buffer.from('y'), '/Uploads/y.txt')
      await assert.rejects(sftp.rename('/Uploads/y.txt', '/Libraries/Family/y.txt'), /denied/i)
      await assert.rejects(sftp.chmod('/Libraries/Family/a.jpg', 0o777), /denied/i)
      assert.ok((await readFile(join(share, 'a.jpg'))).equals(photo))
    })
  })
}
