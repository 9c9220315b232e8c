/**
 * Downloading many at once (Immich's /api/download/info and /api/download/archive) on both
 * engines: the plan cuts archives at archiveSize; the ZIP, checked by Info-ZIP's unzip, holds the
 * originals byte for byte under unique names and is as long as announced; a browser's form post
 * gets the same; only what the caller may open goes in (their own, a partner's, an album's shared
 * with them, a public link's album when it allows downloads); a file gone from disk is left out and
 * counted.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { engines } from '../helpers/engines.ts'
import { startTestNode, type TestNode } from '../helpers/node.ts'
import type { Session } from '../helpers/client.ts'

for (const engine of engines) {
  describe(`[${engine}] downloading many at once`, () => {
    let t: TestNode
    let ann: Session
    let ben: Session
    let dir: string
    const id: Record<string, string> = {}
    const bytes: Record<string, Buffer> = {}
    const call = (s: Session | undefined, method: string, path: string, body?: unknown) => t.client.call(method, path, { headers: s?.headers ?? {}, body })
    /** POSTs for an archive; its bytes, headers, and the names and contents unzip finds in it. */
    const archive = async (s: Session | undefined, body: string, type: string, query = '') => {
      const r = await fetch(`${t.url}/api/download/archive${query}`, { method: 'POST', headers: { ...(s?.headers ?? {}), 'content-type': type }, body })
      const data = Buffer.from(await r.arrayBuffer())
      if (r.status !== 200) return { status: r.status, headers: r.headers, names: [] as string[], data, file: '' }
      const file = join(dir, `${randomBytes(4).toString('hex')}.zip`)
      await writeFile(file, data)
      execFileSync('unzip', ['-tq', file])
      return { status: r.status, headers: r.headers, data, file, names: execFileSync('unzip', ['-Z1', file]).toString('utf8').trim().split('\n') }
    }
    const inZip = (file: string, name: string) => execFileSync('unzip', ['-p', file, name], { maxBuffer: 1 << 24 })

    before(async () => {
      t = await startTestNode(engine)
      dir = await mkdtemp(join(tmpdir(), 'hearth-dl-'))
      ann = await t.client.signUpAdmin()
      ben = await t.client.createUser(ann, 'ben@example.org')
      // Two of Ann's files share a name; Ben has one of his own.
      for (const [key, who, name, size] of [['a1', ann, 'IMG_0001.jpg', 40_000], ['a2', ann, 'IMG_0001.jpg', 30_000], ['a3', ann, 'beach.jpg', 50_000], ['b1', ben, 'ben.jpg', 20_000]] as const) {
        bytes[key] = randomBytes(size)
        const r = await t.client.upload(who, { name, data: bytes[key] })
        assert.equal(r.status, 201)
        id[key] = r.body.id
      }
    })
    after(async () => { await t.stop(); await rm(dir, { recursive: true, force: true }) })

    test('the plan: every asset asked for that one may open, cut into archives at archiveSize', async () => {
      const all = await call(ann, 'POST', '/api/download/info', { assetIds: [id.a1, id.a2, id.a3, id.b1] })
      assert.equal(all.status, 200, JSON.stringify(all.body))
      assert.deepEqual(all.body, { totalSize: 120_000, archives: [{ assetIds: [id.a1, id.a2, id.a3], size: 120_000 }] }, 'not Ben\'s')
      const cut = await call(ann, 'POST', '/api/download/info', { assetIds: [id.a1, id.a2, id.a3], archiveSize: 1024 * 1024 })
      assert.equal(cut.body.archives.length, 1)
      const small = await call(ann, 'POST', '/api/download/info', { userId: (await call(ann, 'GET', '/api/users/me')).body.id, archiveSize: 1024 * 1024 })
      assert.deepEqual(small.body.archives.map((a: { assetIds: string[] }) => a.assetIds.length), [3])
      assert.equal((await call(ann, 'POST', '/api/download/info', { userId: (await call(ben, 'GET', '/api/users/me')).body.id })).status, 403)
      assert.equal((await call(ann, 'POST', '/api/download/info', {})).status, 400)
      assert.equal((await call(ann, 'POST', '/api/download/info', { assetIds: [id.a1], archiveSize: 10 })).status, 400)
    })

    test('the archive: the originals byte for byte, names made unique, the length told first; the same by a form post', async () => {
      const r = await archive(ann, JSON.stringify({ assetIds: [id.a1, id.a2, id.a3, id.b1] }), 'application/json')
      assert.equal(r.status, 200)
      assert.equal(r.headers.get('content-type'), 'application/zip')
      assert.equal(Number(r.headers.get('content-length')), r.data.length)
      assert.deepEqual(r.names, ['IMG_0001.jpg', 'IMG_0001+1.jpg', 'beach.jpg'], 'in the order asked; not Ben\'s')
      assert.ok(inZip(r.file, 'IMG_0001.jpg').equals(bytes.a1!))
      assert.ok(inZip(r.file, 'IMG_0001+1.jpg').equals(bytes.a2!))
      assert.ok(inZip(r.file, 'beach.jpg').equals(bytes.a3!))
      assert.equal(r.headers.get('x-hearth-missing'), '0')
      const form = await archive(ann, new URLSearchParams({ assetIds: `${id.a3},${id.a1}`, name: 'Summer 2019' }).toString(), 'application/x-www-form-urlencoded')
      assert.deepEqual(form.names, ['beach.jpg', 'IMG_0001.jpg'])
      assert.match(form.headers.get('content-disposition')!, /attachment; filename="Summer 2019\.zip"/)
      // Nothing of one's own among them, no session, not ids at all.
      assert.equal((await archive(ann, JSON.stringify({ assetIds: [id.b1] }), 'application/json')).status, 400)
      assert.equal((await archive(undefined, JSON.stringify({ assetIds: [id.a1] }), 'application/json')).status, 401)
      assert.equal((await archive(ann, JSON.stringify({ assetIds: ['a1'] }), 'application/json')).status, 400)
      assert.equal((await archive(ann, '{', 'application/json')).status, 400)
      // Bodies are bounded: 8 MiB for an archive's request, 4 MiB for any JSON body.
      const huge = await archive(ann, `assetIds=${'x'.repeat(9 * 1024 * 1024)}`, 'application/x-www-form-urlencoded')
      assert.equal(huge.status, 413)
      assert.match(JSON.parse(huge.data.toString()).message, /larger than 8 MiB/)
      const big = await fetch(`${t.url}/api/search/metadata`, { method: 'POST', headers: { ...ann.headers, 'content-type': 'application/json' }, body: JSON.stringify({ originalFileName: 'x'.repeat(5 * 1024 * 1024) }) })
      assert.equal(big.status, 413)
      assert.match(((await big.json()) as { message: string }).message, /JSON body larger than 4 MiB/)
    })

    test('a partner\'s photos and an album\'s shared with one go in; a public link\'s album when it allows downloads', async () => {
      assert.equal((await call(ann, 'POST', '/api/partners', { sharedWithId: (await call(ben, 'GET', '/api/users/me')).body.id })).status, 201)
      const partner = await archive(ben, JSON.stringify({ assetIds: [id.b1, id.a3] }), 'application/json')
      assert.deepEqual(partner.names, ['ben.jpg', 'beach.jpg'])
      assert.equal((await call(ann, 'DELETE', `/api/partners/${(await call(ben, 'GET', '/api/users/me')).body.id}`)).status, 204)
      assert.deepEqual((await archive(ben, JSON.stringify({ assetIds: [id.b1, id.a3] }), 'application/json')).names, ['ben.jpg'], 'no longer once sharing ends')
      // An album Ann shares with Ben: its plan by albumId, and its archive.
      const album = await call(ann, 'POST', '/api/albums', { albumName: 'Beach', assetIds: [id.a3, id.a1], albumUsers: [{ userId: (await call(ben, 'GET', '/api/users/me')).body.id, role: 'viewer' }] })
      assert.equal(album.status, 201, JSON.stringify(album.body))
      const plan = await call(ben, 'POST', '/api/download/info', { albumId: album.body.id })
      assert.deepEqual(plan.body.archives[0].assetIds.sort(), [id.a1, id.a3].sort())
      assert.deepEqual((await archive(ben, JSON.stringify({ assetIds: plan.body.archives[0].assetIds }), 'application/json')).names.sort(), ['IMG_0001.jpg', 'beach.jpg'])
      // A public link to it: with downloads allowed its album's photos, only those; without, refused.
      const link = await call(ann, 'POST', '/api/shared-links', { type: 'ALBUM', albumId: album.body.id, allowDownload: true })
      assert.equal(link.status, 201, JSON.stringify(link.body))
      const viaLink = await archive(undefined, JSON.stringify({ assetIds: [id.a1, id.a2] }), 'application/json', `?key=${link.body.key as string}`)
      assert.deepEqual(viaLink.names, ['IMG_0001.jpg'], 'only the album\'s')
      assert.equal((await call(ann, 'PATCH', `/api/shared-links/${link.body.id}`, { allowDownload: false })).status, 200)
      assert.equal((await archive(undefined, JSON.stringify({ assetIds: [id.a1] }), 'application/json', `?key=${link.body.key as string}`)).status, 403)
    })

    test('a file gone from disk is left out and counted; the archive is still whole', async () => {
      const path = (await t.node.db.query<{ original_path: string }>('SELECT original_path FROM assets WHERE id = $1', [id.a2]))[0]!.original_path
      await rm(path) // as a share gone offline would leave it
      const r = await archive(ann, JSON.stringify({ assetIds: [id.a1, id.a2, id.a3] }), 'application/json')
      assert.deepEqual(r.names, ['IMG_0001.jpg', 'beach.jpg'])
      assert.equal(r.headers.get('x-hearth-missing'), '1')
      assert.equal((await archive(ann, JSON.stringify({ assetIds: [id.a2] }), 'application/json')).status, 400)
    })
  })
}
