/**
 * External libraries on both engines, through the HTTP API of a real node: creating them (admins
 * only, paths checked), scanning (first scan, an unchanged rescan that reads nothing, changes,
 * moves, deletions and restores), the offline grace period, exclusions, links out of the share,
 * and that the share's bytes are never touched.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import sharp from 'sharp'
import { mkdir, mkdtemp, readFile, rename, rm, utimes, writeFile } from 'node:fs/promises'
import { createHash, randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { engines } from '../helpers/engines.ts'
import { repoRoot } from '../helpers/process.ts'
import { startTestNode, type TestNode } from '../helpers/node.ts'
import type { Session } from '../helpers/client.ts'
import { libraryModule } from '../../appliance/libraries/index.ts'
import { defaultExclusionPatterns } from '../../appliance/libraries/glob.ts'
import { hashFile, type Hasher } from '../../appliance/libraries/hasher.ts'
import { makeShare, ownFixtures, sha1Of, snapshot, type Entry, type Share } from './share.ts'

interface AssetRow {
  id: string, original_path: string, is_offline: boolean, offline_since: Date | null, deleted_at: Date | null
  sidecar_path: string | null, checksum_sha1: Buffer, file_size: number, file_inode: number, device_id: string
  device_asset_id: string, owner_id: string, type: string, ingest_status: string, updated_at: Date, stack_id: string | null
}

for (const engine of engines) {
  describe(`[${engine}] external libraries`, () => {
    let t: TestNode
    let admin: Session
    let adminId: string
    let share: Share
    let reads = 0
    const readPaths: string[] = []
    const hasher: Hasher = async (path, options) => { reads++; readPaths.push(path); return hashFile(path, options) }

    before(async () => {
      t = await startTestNode(engine, {}, { modules: [libraryModule({ hasher, watch: false, scanOnStart: false })] })
      admin = await t.client.signUpAdmin()
      adminId = (await t.client.call('GET', '/api/users/me', { headers: admin.headers })).body.id
      share = await makeShare()
      if (!share.hasCameraFiles) console.log('# ../shared/fixtures is absent: the library tests run on Hearth\'s own small fixtures only')
    })
    after(async () => { await t.stop(); await share.cleanup() })

    const call = (method: string, path: string, body?: unknown, session: Session = admin) => t.client.call(method, path, { headers: session.headers, body })
    const assets = (libraryId: string) => t.node.db.query<AssetRow>(
      'SELECT * FROM assets WHERE library_id = $1 ORDER BY original_path', [libraryId])
    const byPath = async (libraryId: string) => new Map((await assets(libraryId)).map((a) => [a.original_path, a]))
    /** Metadata jobs ever queued for an asset (the ingest pipeline runs them meanwhile). */
    const metadataJobs = async (assetId: string) => (await t.node.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM jobs WHERE queue = 'metadataExtraction' AND payload->>'assetId' = $1`, [assetId]))[0].n
    /** Scans done, and the ingest pipeline (metadata, thumbnails) done with what they queued. */
    const settled = () => t.node.jobs.drained(['library', 'metadataExtraction', 'thumbnailGeneration', 'videoConversion'])
    const scan = async (libraryId: string) => {
      const r = await call('POST', `/api/libraries/${libraryId}/scan`)
      assert.equal(r.status, 204, JSON.stringify(r.body))
      await settled()
      const state = (await call('GET', `/api/libraries/${libraryId}`)).body.scan
      assert.equal(state.error, null, `the scan failed: ${state.error as string}`)
      return state.stats as Record<string, number>
    }
    const create = async (body: Record<string, unknown>, session: Session = admin) => call('POST', '/api/libraries', { ownerId: adminId, name: 'Photos', ...body }, session)
    /** A library over a fresh empty folder for one test: `run` gets the folder and the library's id; then both go. */
    const withLibrary = async (name: string, run: (root: string, id: string) => Promise<void>) => {
      const root = await mkdtemp(join(tmpdir(), 'hearth-lib-'))
      const created = await create({ name, importPaths: [root] })
      assert.equal(created.status, 201, JSON.stringify(created.body))
      try {
        await run(root, created.body.id as string)
      } finally {
        await settled()
        assert.equal((await call('DELETE', `/api/libraries/${created.body.id as string}`)).status, 204)
        await rm(root, { recursive: true, force: true })
      }
    }

    test('every library endpoint is in the API description and answers 401 without credentials', async () => {
      const doc = (await t.client.call('GET', '/api/openapi.json')).body as { paths: Record<string, Record<string, unknown>> }
      const routes = t.node.routes.filter((r) => r.path.startsWith('/api/libraries'))
      assert.equal(routes.length, 8)
      for (const r of routes) {
        assert.ok(doc.paths[r.path]?.[r.method.toLowerCase()] !== undefined, `${r.method} ${r.path} documented`)
        const res = await t.client.call(r.method, r.path.replace('{id}', '01a211da-8a1c-7000-afc1-7e949a17900b'), { body: r.method === 'GET' || r.method === 'DELETE' ? undefined : {} })
        assert.equal(res.status, 401, `${r.method} ${r.path}`)
      }
    })

    test('only an admin creates a library, and its import paths must be real folders outside Hearth\'s data', async () => {
      const alice = await t.client.createUser(admin, 'alice@example.org')
      const refused = await create({ importPaths: [share.root] }, alice)
      assert.equal(refused.status, 403)
      const aliceKey = await t.client.apiKey(admin, ['library.read'])
      assert.equal((await create({ importPaths: [share.root] }, aliceKey)).status, 403, 'an API key without library.create')

      const bad = await create({ importPaths: ['photos/relative', '/nonexistent/hearth-share', join(share.root, 'notes.txt'), t.dataDir, join(t.dataDir, 'library'), '/proc'] })
      assert.equal(bad.status, 400)
      const message = bad.body.message as string
      assert.match(message, /importPaths\.0: .*must be absolute/)
      assert.match(message, /importPaths\.1: .*does not exist/)
      assert.match(message, /importPaths\.2: .*Not a directory/)
      assert.match(message, /importPaths\.3: .*inside Hearth's data folder/)
      assert.match(message, /importPaths\.4: .*inside Hearth's data folder/)
      assert.match(message, /importPaths\.5: .*system folder/)
      const nested = await create({ importPaths: [share.root, join(share.root, 'Beach')] })
      assert.equal(nested.status, 400)
      assert.match(nested.body.message, /lies inside/)
      assert.equal((await create({ ownerId: '01a211da-8a1c-7000-afc1-7e949a17900b', importPaths: [] })).status, 400)
      assert.equal((await create({ exclusionPatterns: ['**/[broken'] })).status, 400)
    })

    let libraryId: string
    test('a library gets the default exclusions, says it is polling when watching is off, and owners alone see it', async () => {
      const created = await create({ importPaths: [share.root + '/'] })
      assert.equal(created.status, 201, JSON.stringify(created.body))
      libraryId = created.body.id
      assert.deepEqual(created.body.importPaths, [share.root], 'stored normalised')
      assert.deepEqual(created.body.exclusionPatterns, [...defaultExclusionPatterns])
      assert.equal(created.body.ownerId, adminId)
      assert.equal(created.body.assetCount, 0)
      assert.equal(created.body.refreshedAt, null)
      assert.equal(created.body.watchMode, 'polling')
      assert.equal(created.body.scan.status, 'idle')
      const none = await create({ name: 'Bare', importPaths: [], exclusionPatterns: [] })
      assert.deepEqual(none.body.exclusionPatterns, [], 'an empty list means no exclusions (Immich)')
      assert.equal((await create({ importPaths: [join(share.root, 'Beach')] })).status, 409, 'a folder already in another library')

      const bob = await t.client.createUser(admin, 'bob@example.org')
      const bobs = await create({ ownerId: (await call('GET', '/api/users/me', undefined, bob)).body.id, name: 'Bob\'s', importPaths: [share.outside] })
      assert.equal(bobs.status, 201, JSON.stringify(bobs.body))
      assert.deepEqual((await call('GET', '/api/libraries', undefined, bob)).body.map((l: { id: string }) => l.id), [bobs.body.id])
      assert.equal((await call('GET', `/api/libraries/${libraryId as string}`, undefined, bob)).status, 404, 'another user\'s library')
      assert.equal((await call('GET', `/api/libraries/${libraryId}/statistics`, undefined, bob)).status, 404)
      assert.equal((await call('POST', `/api/libraries/${libraryId}/scan`, undefined, bob)).status, 404)
      assert.equal((await call('PUT', `/api/libraries/${libraryId}`, { name: 'Mine' }, bob)).status, 403)
      assert.equal((await call('DELETE', `/api/libraries/${libraryId}`, undefined, bob)).status, 403)
      assert.equal((await call('GET', `/api/libraries/${bobs.body.id as string}`, undefined, bob)).status, 200)
      assert.equal((await call('GET', '/api/libraries/not-a-uuid')).status, 404)
      const all = (await call('GET', '/api/libraries')).body.map((l: { id: string }) => l.id)
      assert.ok(all.includes(libraryId) && all.includes(bobs.body.id), 'an admin sees every library')
      assert.equal((await call('DELETE', `/api/libraries/${bobs.body.id as string}`)).status, 204)
      assert.equal((await call('DELETE', `/api/libraries/${none.body.id as string}`)).status, 204)
    })

    test('validate reports each import path', async () => {
      const r = await call('POST', `/api/libraries/${libraryId}/validate`, { importPaths: [share.root, '/nonexistent/x', 'relative/x', join(share.root, 'notes.txt')] })
      assert.equal(r.status, 200)
      assert.deepEqual(r.body.importPaths.map((p: { isValid: boolean }) => p.isValid), [true, false, false, false])
      assert.match(r.body.importPaths[1].message, /does not exist/)
      const own = await call('POST', `/api/libraries/${libraryId}/validate`, {})
      assert.deepEqual(own.body.importPaths, [{ importPath: share.root, isValid: true }])
    })

    let original: Map<string, Entry>
    // What the test itself does to the share, to tell it from anything Hearth might have done.
    const written = new Map<string, Buffer>()
    const removed = new Set<string>()
    const made = new Set<string>()
    const op = {
      put: async (rel: string, bytes: Buffer) => {
        for (let d = dirname(rel); d !== '.' && !original.has(d); d = dirname(d)) made.add(d)
        await mkdir(dirname(join(share.root, rel)), { recursive: true })
        await writeFile(join(share.root, rel), bytes)
        written.set(rel, bytes)
      },
      rm: async (rel: string) => {
        await rm(join(share.root, rel), { recursive: true })
        for (const k of [...written.keys(), ...made]) if (k === rel || k.startsWith(rel + '/')) { written.delete(k); made.delete(k) }
        removed.add(rel)
      },
      mv: async (from: string, to: string) => {
        const bytes = await readFile(join(share.root, from))
        for (let d = dirname(to); d !== '.' && !original.has(d); d = dirname(d)) made.add(d)
        await mkdir(dirname(join(share.root, to)), { recursive: true })
        await rename(join(share.root, from), join(share.root, to))
        written.delete(from)
        removed.add(from)
        written.set(to, bytes)
      },
    }
    test('the first scan indexes every media file once, reading each once, with sidecars; clutter and links out are skipped', async () => {
      original = await snapshot(share.root)
      reads = 0
      const stats = await scan(libraryId)
      const rows = await assets(libraryId)
      assert.deepEqual(rows.map((a) => a.original_path), share.media.map((m) => join(share.root, m)))
      assert.equal(reads, share.media.length, 'each file read once')
      assert.equal(stats.added, share.media.length)
      for (const a of rows) {
        assert.equal(a.owner_id, adminId)
        assert.equal(a.device_id, 'Library Import')
        assert.equal(a.device_asset_id, a.original_path)
        assert.equal(a.is_offline, false)
        assert.equal(a.checksum_sha1.toString('hex'), await sha1Of(a.original_path))
        assert.equal(await metadataJobs(a.id), 1, 'metadata extraction queued once')
      }
      const p = await byPath(libraryId)
      assert.equal(p.get(join(share.root, 'Garden/lawn.jpg'))!.sidecar_path, join(share.root, 'Garden/lawn.jpg.xmp'))
      assert.equal(p.get(join(share.root, 'Videos/clip.mp4'))!.sidecar_path, join(share.root, 'Videos/clip.xmp'))
      assert.equal(p.get(join(share.root, 'Videos/clip.mp4'))!.type, 'VIDEO')
      assert.equal(p.get(join(share.root, 'Beach/sea.jpg'))!.sidecar_path, null)
      assert.ok(!readPaths.some((r) => r.includes('secret') || r.includes('@eaDir') || r.includes('/._') || r.includes('#')), readPaths.join(', '))

      const asset = await call('GET', `/api/assets/${rows[0].id}`)
      assert.equal(asset.status, 200)
      assert.equal(asset.body.originalPath, rows[0].original_path, 'a share\'s file keeps its absolute path')
      assert.equal(asset.body.libraryId, libraryId)
      const statistics = (await call('GET', `/api/libraries/${libraryId}/statistics`)).body
      assert.equal(statistics.total, share.media.length)
      assert.equal(statistics.videos, 1)
      assert.equal(statistics.photos, share.media.length - 1)
      assert.equal(statistics.usage, rows.reduce((s, a) => s + a.file_size, 0))
      const library = (await call('GET', `/api/libraries/${libraryId}`)).body
      assert.equal(library.assetCount, share.media.length)
      assert.notEqual(library.refreshedAt, null)
      assert.equal(library.scan.status, 'idle')
    })

    test('a rescan of an unchanged share only stats: it reads nothing and writes nothing', async () => {
      const rowsBefore = await assets(libraryId)
      reads = 0
      const stats = await scan(libraryId)
      assert.equal(reads, 0, 'no file was read')
      assert.equal(stats.foldersChanged, 0, 'every folder matched its fingerprint')
      assert.deepEqual(await assets(libraryId), rowsBefore)
    })

    test('changes are followed by a rescan: added, changed, renamed, moved, copied away, deleted and restored files', async () => {
      const p0 = await byPath(libraryId)
      const sea = p0.get(join(share.root, 'Beach/sea.jpg'))!
      const sunset = p0.get(join(share.root, 'Beach/sunset.jpg'))!
      const lawn = p0.get(join(share.root, 'Garden/lawn.jpg'))!
      const clip = p0.get(join(share.root, 'Videos/clip.mp4'))!
      const album = await call('POST', '/api/albums', { albumName: 'Holidays', assetIds: [sunset.id, lawn.id] })
      assert.equal(album.status, 201)

      const clipBytes = await readFile(join(share.root, 'Videos/clip.mp4'))
      await op.put('Beach/new.jpg', randomBytes(900))
      await op.put('Beach/sea.jpg', Buffer.concat([await readFile(join(share.root, 'Beach/sea.jpg')), Buffer.from('edited')]))
      await op.mv('Beach/sunset.jpg', 'Beach/sunset-2019.jpg')
      await op.mv('Garden/lawn.jpg', 'Archive/lawn.jpg')
      // A move across disks: a copy (new inode) then a delete; the content says it is the same photo.
      await op.put('Archive/clip.mp4', clipBytes)
      await op.rm('Videos/clip.mp4')
      reads = 0
      const stats = await scan(libraryId)
      const p1 = await byPath(libraryId)
      assert.equal(stats.added, 1)
      assert.equal(stats.changed, 1)
      assert.equal(stats.moved, 3)
      assert.equal(stats.offline, 0)
      assert.equal(reads, 5, 'new.jpg, sea.jpg and the three moved files, nothing else')
      assert.ok(p1.has(join(share.root, 'Beach/new.jpg')))
      const sea1 = p1.get(join(share.root, 'Beach/sea.jpg'))!
      assert.equal(sea1.id, sea.id, 'a changed file keeps its asset')
      assert.equal(sea1.checksum_sha1.toString('hex'), await sha1Of(join(share.root, 'Beach/sea.jpg')))
      assert.notDeepEqual(sea1.checksum_sha1, sea.checksum_sha1)
      assert.equal(await metadataJobs(sea.id), 2, 'its metadata is extracted again')
      assert.equal(p1.get(join(share.root, 'Beach/sunset-2019.jpg'))!.id, sunset.id, 'a renamed file keeps its asset')
      const movedLawn = p1.get(join(share.root, 'Archive/lawn.jpg'))!
      assert.equal(movedLawn.id, lawn.id, 'a moved file keeps its asset')
      assert.equal(movedLawn.sidecar_path, null, 'its sidecar stayed behind')
      assert.equal(await metadataJobs(lawn.id), 2, 'a lost sidecar means metadata again')
      assert.equal(p1.get(join(share.root, 'Archive/clip.mp4'))!.id, clip.id, 'copied to a new inode and deleted: same content, same asset')
      assert.equal(await metadataJobs(sunset.id), 1, 'a plain rename needs no new metadata')
      const inAlbum = (await call('GET', `/api/albums/${album.body.id as string}`)).body.assets.map((a: { id: string }) => a.id).sort()
      assert.deepEqual(inAlbum, [sunset.id, lawn.id].sort(), 'albums keep moved assets')
      assert.equal(p1.size, share.media.length + 1, 'no duplicates')

      // Deleted, then restored: offline, then online again, the same asset.
      const kept = await readFile(join(share.root, 'Beach/new.jpg'))
      const newId = p1.get(join(share.root, 'Beach/new.jpg'))!.id
      await op.rm('Beach/new.jpg')
      await op.rm('Archive')
      const s2 = await scan(libraryId)
      assert.equal(s2.offline, 3)
      const p2 = await byPath(libraryId)
      for (const gone of ['Beach/new.jpg', 'Archive/lawn.jpg', 'Archive/clip.mp4']) {
        const a = p2.get(join(share.root, gone))!
        assert.equal(a.is_offline, true, gone)
        assert.ok(a.offline_since instanceof Date)
        assert.equal(a.deleted_at, null, 'offline, not yet trashed')
      }
      assert.equal((await call('GET', `/api/libraries/${libraryId}/statistics`)).body.offline, 3)
      assert.equal((await call('GET', `/api/assets/${newId}`)).body.isOffline, true)

      await op.put('Beach/new.jpg', kept)
      await op.put('Archive/lawn.jpg.xmp', await readFile(join(share.root, 'Garden/lawn.jpg.xmp')))
      await op.put('Archive/lawn.jpg', await readFile(join(repoRoot, 'test/fixtures/tree/Garden/lawn.jpg')))
      const s3 = await scan(libraryId)
      assert.equal(s3.returned, 2)
      const p3 = await byPath(libraryId)
      assert.equal(p3.get(join(share.root, 'Beach/new.jpg'))!.id, newId)
      assert.equal(p3.get(join(share.root, 'Beach/new.jpg'))!.is_offline, false)
      assert.equal(p3.get(join(share.root, 'Archive/lawn.jpg'))!.id, lawn.id, 'a restored folder brings its assets back')
      assert.equal(p3.get(join(share.root, 'Archive/lawn.jpg'))!.is_offline, false)
      assert.equal(p3.get(join(share.root, 'Archive/lawn.jpg'))!.sidecar_path, join(share.root, 'Archive/lawn.jpg.xmp'))
      assert.equal(p3.get(join(share.root, 'Archive/clip.mp4'))!.is_offline, true, 'still gone')

      // The clip comes back elsewhere: found by its content, it returns, same asset.
      await op.put('Found/clip-copy.mp4', clipBytes)
      const s4 = await scan(libraryId)
      assert.equal(s4.moved, 1)
      const p4 = await byPath(libraryId)
      assert.equal(p4.get(join(share.root, 'Found/clip-copy.mp4'))!.id, clip.id)
      assert.equal(p4.get(join(share.root, 'Found/clip-copy.mp4'))!.is_offline, false)
      assert.equal(p4.size, share.media.length + 1)
    })

    test('an asset offline past the grace period goes to the trash, and comes out when its file returns', async () => {
      const path = join(share.root, 'Beach/sunset-2019.jpg')
      const bytes = await readFile(path)
      const id = (await byPath(libraryId)).get(path)!.id
      await op.rm('Beach/sunset-2019.jpg')
      await scan(libraryId)
      // Eight days ago, past the default grace period of seven.
      await t.node.db.query(`UPDATE assets SET offline_since = now() - interval '8 days' WHERE id = $1`, [id])
      await scan(libraryId)
      const trashed = (await byPath(libraryId)).get(path)!
      assert.equal(trashed.is_offline, true)
      assert.ok(trashed.deleted_at instanceof Date, 'in the trash')
      assert.equal((await call('GET', `/api/assets/${id}`)).body.isTrashed, true)
      await op.put('Beach/sunset-2019.jpg', bytes)
      await scan(libraryId)
      const back = (await byPath(libraryId)).get(path)!
      assert.equal(back.id, id)
      assert.equal(back.is_offline, false)
      assert.equal(back.deleted_at, null, 'out of the trash with its file')

      // Trashed by its owner while the file is there: it stays in the trash.
      assert.equal((await call('DELETE', '/api/assets', { ids: [id] })).status, 204)
      await utimes(path, new Date(), new Date(Date.now() - 60_000))
      await scan(libraryId)
      assert.ok((await byPath(libraryId)).get(path)!.deleted_at instanceof Date, 'the owner\'s choice stands')

      // Deleted for good while the file is still on the share: the next scan finds it again (as Immich does).
      assert.equal((await call('POST', '/api/trash/empty')).status, 200)
      assert.equal((await byPath(libraryId)).get(path), undefined)
      reads = 0
      const again = await scan(libraryId)
      assert.equal(again.added, 1)
      assert.equal(reads, 1, 'only that folder is looked at, only that file read')
      const reborn = (await byPath(libraryId)).get(path)!
      assert.notEqual(reborn.id, id)
      assert.equal(reborn.deleted_at, null)
    })

    test('changing the exclusions rescans: a newly excluded folder goes offline, and comes back when the pattern goes', async () => {
      const r = await call('PUT', `/api/libraries/${libraryId}`, { exclusionPatterns: [...defaultExclusionPatterns, '**/Beach/**'] })
      assert.equal(r.status, 200, JSON.stringify(r.body))
      await settled()
      const beach = [...(await byPath(libraryId)).values()].filter((a) => a.original_path.includes('/Beach/'))
      assert.ok(beach.length >= 2)
      assert.ok(beach.every((a) => a.is_offline), 'excluded now')
      await call('PUT', `/api/libraries/${libraryId}`, { exclusionPatterns: [...defaultExclusionPatterns] })
      await settled()
      const back = [...(await byPath(libraryId)).values()].filter((a) => a.original_path.includes('/Beach/'))
      assert.ok(back.every((a) => !a.is_offline))
      assert.deepEqual(back.map((a) => a.id).sort(), beach.map((a) => a.id).sort())
    })

    test('a share that vanishes (unmounted: empty or missing) takes nothing offline', async () => {
      const empty = await mkdtemp(join(tmpdir(), 'hearth-mount-'))
      try {
        await mkdir(join(empty, 'disk'))
        await writeFile(join(empty, 'disk/a.jpg'), randomBytes(300))
        const lib = (await create({ name: 'USB disk', importPaths: [join(empty, 'disk')] })).body
        await scan(lib.id)
        assert.equal((await assets(lib.id)).length, 1)
        await rm(join(empty, 'disk/a.jpg'))
        const s = await scan(lib.id)
        assert.equal(s.offline, 0, 'an empty mount point is not a deleted share')
        await rm(join(empty, 'disk'), { recursive: true })
        await scan(lib.id)
        assert.equal((await assets(lib.id))[0].is_offline, false)
        assert.equal((await call('POST', `/api/libraries/${lib.id as string}/validate`, {})).body.importPaths[0].isValid, false)
        assert.equal((await call('DELETE', `/api/libraries/${lib.id as string}`)).status, 204)
      } finally {
        await rm(empty, { recursive: true, force: true })
      }
    })

    test('Hearth never wrote into the share, and deleting the library removes its assets, not its files', async () => {
      const now = await snapshot(share.root)
      const expected = new Map<string, Entry>()
      for (const [rel, e] of original) {
        if (written.has(rel) || [...removed].some((r) => rel === r || rel.startsWith(r + '/'))) continue
        expected.set(rel, e)
      }
      for (const rel of made) expected.set(rel, { kind: 'dir', mode: now.get(rel)?.mode })
      for (const [rel, bytes] of written) {
        const e = now.get(rel)
        expected.set(rel, { kind: 'file', sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length, mtimeMs: e?.mtimeMs, mode: e?.mode })
      }
      const sorted = (m: Map<string, Entry>) => [...m].sort(([a], [b]) => (a < b ? -1 : 1))
      assert.deepEqual(sorted(now), sorted(expected), 'the share holds exactly what the test put there: same names, bytes, modes, and mtimes for files the test did not touch')
      const ids = (await assets(libraryId)).map((a) => a.id)
      assert.equal((await call('DELETE', `/api/libraries/${libraryId}`)).status, 204)
      assert.equal((await call('GET', `/api/libraries/${libraryId}`)).status, 404)
      assert.equal((await assets(libraryId)).length, 0)
      assert.equal((await call('GET', `/api/assets/${ids[0]}`)).status, 404)
      assert.deepEqual(await snapshot(share.root), now, 'not a byte of the share changed')
    })

    test('a RAW file and its JPEG (same folder, same name, any case) are stacked as they are indexed, the JPEG on top; namesakes elsewhere are not', () => withLibrary('Pairs', async (root, id) => {
      // No RAW files ship in the fixtures: a JPEG named .NEF stands in for one (Hearth shows a RAW's
      // embedded preview, which this file's EXIF thumbnail plays; see node/media/image.test.ts).
      const jpg = (p: string) => join(repoRoot, '..', 'shared', 'fixtures', 'exif-samples', 'jpg', p)
      const own = async (colour: string) => sharp({ create: { width: 40, height: 30, channels: 3, background: colour } }).jpeg().toBuffer()
      await writeFile(join(root, 'DSC_0001.NEF'), await readFile(jpg('gps/DSCN0010.jpg')).catch(async () => own('#123')))
      await writeFile(join(root, 'dsc_0001.jpg'), await own('#456'))
      await mkdir(join(root, 'elsewhere'))
      await writeFile(join(root, 'elsewhere', 'DSC_0001.JPG'), await own('#789'))
      await writeFile(join(root, 'DSC_0002.JPG'), await own('#abc'))
      await scan(id)
      const rows = await byPath(id)
      const raw = rows.get(join(root, 'DSC_0001.NEF'))!
      const cover = rows.get(join(root, 'dsc_0001.jpg'))!
      assert.ok(raw.stack_id !== null, 'the RAW file is stacked')
      assert.equal(cover.stack_id, raw.stack_id)
      assert.equal(rows.get(join(root, 'elsewhere', 'DSC_0001.JPG'))!.stack_id, null, 'another folder: not its pair')
      assert.equal(rows.get(join(root, 'DSC_0002.JPG'))!.stack_id, null)
      const stack = (await call('GET', `/api/stacks/${raw.stack_id!}`)).body
      assert.equal(stack.primaryAssetId, cover.id, 'the JPEG is the cover')
      assert.deepEqual(stack.assets.map((a: { id: string }) => a.id).sort(), [raw.id, cover.id].sort())
      // Unstacked by the owner, a rescan leaves them apart (only a file added anew is paired).
      assert.equal((await call('DELETE', `/api/stacks/${raw.stack_id!}`)).status, 204)
      await writeFile(join(root, 'DSC_0003.JPG'), await own('#def'))
      await scan(id)
      assert.equal((await byPath(id)).get(join(root, 'DSC_0001.NEF'))!.stack_id, null)
    }))

    test('a file changed while its metadata is being read is read again after that read, not folded into it', () => withLibrary('Changing', async (root, id) => {
      let running: { id: string } | undefined
      try {
        await writeFile(join(root, 'pier.jpg'), await readFile(join(ownFixtures, 'Beach/sunset.jpg')))
        await scan(id)
        const [asset] = await assets(id)
        // A read of its metadata under way, as the job system records one (it read the file before the change).
        ;[running] = await t.node.db.query<{ id: string }>(
          `INSERT INTO jobs (queue, name, payload, dedupe_key, status, locked_at) VALUES ('metadataExtraction', 'metadataExtraction', $1, $2, 'active', now()) RETURNING id`,
          [JSON.stringify({ assetId: asset!.id }), asset!.id])
        await writeFile(join(root, 'pier.jpg'), Buffer.concat([await readFile(join(root, 'pier.jpg')), Buffer.from('edited')]))
        assert.equal((await call('POST', `/api/libraries/${id}/scan`)).status, 204)
        await t.node.jobs.drained(['library'])
        assert.equal((await call('GET', `/api/libraries/${id}`)).body.scan.stats.changed, 1)
        const keys = (await t.node.db.query<{ dedupe_key: string }>(
          `SELECT dedupe_key FROM jobs WHERE queue = 'metadataExtraction' AND payload->>'assetId' = $1 ORDER BY id`, [asset!.id])).map((r) => r.dedupe_key)
        assert.ok(keys.includes(`${asset!.id}:after:${running!.id}`), `queued after the read under way: ${keys.join(', ')}`)
      } finally {
        if (running !== undefined) await t.node.db.query('DELETE FROM jobs WHERE id = $1', [running.id])
      }
    }))

    test('a description and rating the owner gave in Hearth outlive a rescan of the changed file; the file\'s own fill the others', () => withLibrary('Captions', async (root, id) => {
      const photo = (width: number, caption: string) => sharp({ create: { width, height: 48, channels: 3, background: '#336699' } })
        .withExif({ IFD0: { ImageDescription: caption } }).jpeg().toBuffer()
      const exif = async (assetId: string) => (await call('GET', `/api/assets/${assetId}`)).body.exifInfo as { description: string, rating: number | null, exifImageWidth: number }
        for (const name of ['kept.jpg', 'other.jpg']) await writeFile(join(root, name), await photo(64, 'First caption'))
        await scan(id)
        const ids = await byPath(id)
        const [kept, other] = [ids.get(join(root, 'kept.jpg'))!.id, ids.get(join(root, 'other.jpg'))!.id]
        assert.equal((await exif(kept)).description, 'First caption')
        const put = await call('PUT', `/api/assets/${kept}`, { description: 'Grandma at the lake', rating: 4 })
        assert.equal(put.status, 200, JSON.stringify(put.body))
        assert.deepEqual([put.body.exifInfo.description, put.body.exifInfo.rating], ['Grandma at the lake', 4])
        // Both files change (a wider photo, a new caption); the rescan reads both again.
        for (const name of ['kept.jpg', 'other.jpg']) await writeFile(join(root, name), await photo(80, 'Second caption'))
        const written = await sha1Of(join(root, 'kept.jpg'))
        assert.equal((await scan(id)).changed, 2)
        assert.deepEqual(await exif(other).then((e) => [e.description, e.exifImageWidth]), ['Second caption', 80], 'the file\'s caption replaces the one read before')
        assert.deepEqual(await exif(kept).then((e) => [e.description, e.rating, e.exifImageWidth]), ['Grandma at the lake', 4, 80], 'read again, with the owner\'s caption and rating kept')
        assert.equal(await sha1Of(join(root, 'kept.jpg')), written, 'the file is not written')
    }))

    test('a scan asked for while one of the same folders runs is queued after it, once; one asked for while a twin waits joins it', () => withLibrary('Queued', async (_root, id) => {
      const waiting = async () => (await t.node.db.query<{ dedupe_key: string }>(
        `SELECT dedupe_key FROM jobs WHERE queue = 'library' AND status = 'waiting' AND payload->>'libraryId' = $1 ORDER BY id`, [id])).map((r) => r.dedupe_key)
      await settled()
      await t.node.jobs.pause('library')
      try {
        // A scan of the whole library running now, as the job system records one (it may have read
        // a folder before a change there): a request for it again is queued after it, once.
        const [running] = await t.node.db.query<{ id: string }>(
          `INSERT INTO jobs (queue, name, payload, dedupe_key, status) VALUES ('library', 'scan', $1, $2, 'active') RETURNING id`,
          [JSON.stringify({ libraryId: id }), `library:${id}`])
        for (let i = 0; i < 3; i++) assert.equal((await call('POST', `/api/libraries/${id}/scan`)).status, 204)
        assert.deepEqual(await waiting(), [`library:${id}:after:${String(running!.id)}`])
        // While only a twin waits, a request joins it.
        await t.node.db.query(`DELETE FROM jobs WHERE queue = 'library' AND payload->>'libraryId' = $1`, [id])
        for (let i = 0; i < 3; i++) assert.equal((await call('POST', `/api/libraries/${id}/scan`)).status, 204)
        assert.deepEqual(await waiting(), [`library:${id}`])
      } finally {
        await t.node.db.query(`DELETE FROM jobs WHERE queue = 'library' AND status = 'active' AND payload->>'libraryId' = $1`, [id]) // the made-up running scan
        await t.node.jobs.resume('library')
      }
    }))
  })
}
