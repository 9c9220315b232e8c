/**
 * Following a share live (inotify) on both engines: files added, renamed, moved, deleted and
 * restored on the share show up without anyone asking for a scan; a share with more folders than
 * the watch budget is followed by polling instead, and says so; Hearth's own data folder inside a
 * share is neither watched nor indexed; and the share's bytes stay as the test left them.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { engines } from '../helpers/engines.ts'
import { startTestNode, type TestNode } from '../helpers/node.ts'
import type { Session } from '../helpers/client.ts'
import { waitFor } from '../helpers/process.ts'
import { libraryModule } from '../../appliance/libraries/index.ts'
import { hashFile, type Hasher } from '../../appliance/libraries/hasher.ts'
import { makeShare, snapshot, type Share } from './share.ts'

const linux = process.platform === 'linux'

for (const engine of engines) {
  describe(`[${engine}] following a share live`, { skip: linux ? false : 'inotify is Linux only' }, () => {
    let t: TestNode
    let admin: Session
    let adminId: string
    let share: Share
    let libraryId: string
    let reads = 0
    const hasher: Hasher = async (path, options) => { reads++; return hashFile(path, options) }

    before(async () => {
      share = await makeShare()
      // Hearth's data folder inside the share, as happens when a NAS's whole volume is one share.
      t = await startTestNode(engine, {}, {
        dataDir: join(share.root, 'hearth-data'),
        modules: [libraryModule({ hasher, watchDebounceMs: 100, scanOnStart: false, maxWatches: 40 })],
      })
      admin = await t.client.signUpAdmin()
      adminId = (await t.client.call('GET', '/api/users/me', { headers: admin.headers })).body.id
    })
    after(async () => { await t.stop(); await share.cleanup() })

    const call = (method: string, path: string, body?: unknown) => t.client.call(method, path, { headers: admin.headers, body })
    const paths = async () => new Map((await t.node.db.query<{ id: string, original_path: string, is_offline: boolean }>(
      'SELECT id, original_path, is_offline FROM assets WHERE library_id = $1', [libraryId])).map((a) => [a.original_path.slice(share.root.length + 1), a]))
    const settled = () => t.node.jobs.drained(['library', 'metadataExtraction', 'thumbnailGeneration', 'videoConversion'])

    test('a library is followed with inotify and says so', async () => {
      const up = await t.client.upload(admin, { name: 'uploaded.jpg', data: randomBytes(2000) })
      assert.equal(up.status, 201, 'an upload lands in the data folder, inside the share')
      const created = await call('POST', '/api/libraries', { ownerId: adminId, name: 'Photos', importPaths: [share.root] })
      assert.equal(created.status, 201, JSON.stringify(created.body))
      libraryId = created.body.id
      await waitFor('watchMode inotify', async () => (await call('GET', `/api/libraries/${libraryId}`)).body.watchMode === 'inotify')
      assert.equal((await call('POST', `/api/libraries/${libraryId}/scan`)).status, 204)
      await settled()
      const indexed = [...(await paths()).keys()].sort()
      assert.deepEqual(indexed, share.media, 'the data folder (with its upload) is not indexed')
    })

    test('new, renamed, moved, deleted and restored files are followed without a scan being asked for', async () => {
      await writeFile(join(share.root, 'Beach/live.jpg'), randomBytes(1200))
      await waitFor('Beach/live.jpg indexed', async () => (await paths()).has('Beach/live.jpg'), 15_000)
      const live = (await paths()).get('Beach/live.jpg')!

      await rename(join(share.root, 'Beach/live.jpg'), join(share.root, 'Beach/live-renamed.jpg'))
      await waitFor('the rename followed', async () => (await paths()).get('Beach/live-renamed.jpg')?.id === live.id, 15_000)

      await mkdir(join(share.root, 'Trips/2024/Alps'), { recursive: true })
      await rename(join(share.root, 'Beach/live-renamed.jpg'), join(share.root, 'Trips/2024/Alps/peak.jpg'))
      for (let i = 0; i < 5; i++) await writeFile(join(share.root, `Trips/2024/Alps/img-${i}.jpg`), randomBytes(400 + i))
      await waitFor('a new folder tree followed', async () => {
        const p = await paths()
        return p.get('Trips/2024/Alps/peak.jpg')?.id === live.id && [0, 1, 2, 3, 4].every((i) => p.has(`Trips/2024/Alps/img-${i}.jpg`))
      }, 15_000)
      // A folder created after the watch started is watched too.
      await writeFile(join(share.root, 'Trips/2024/Alps/later.jpg'), randomBytes(333))
      await waitFor('a file in the new folder', async () => (await paths()).has('Trips/2024/Alps/later.jpg'), 15_000)

      const sea = join(share.root, 'Beach/sea.jpg')
      const seaBytes = await readFile(sea)
      await rm(sea)
      await waitFor('the deletion followed', async () => (await paths()).get('Beach/sea.jpg')?.is_offline === true, 15_000)
      await writeFile(sea, seaBytes)
      await waitFor('the restore followed', async () => (await paths()).get('Beach/sea.jpg')?.is_offline === false, 15_000)

      // A folder moved away as a whole: its assets follow it.
      await rename(join(share.root, 'Trips'), join(share.root, 'Journeys'))
      await waitFor('the folder move followed', async () => (await paths()).get('Journeys/2024/Alps/peak.jpg')?.id === live.id, 15_000)
      await writeFile(join(share.root, 'Journeys/2024/Alps/after-move.jpg'), randomBytes(321))
      await waitFor('the moved folder is still watched', async () => (await paths()).has('Journeys/2024/Alps/after-move.jpg'), 15_000)
      await settled()
      const p = await paths()
      assert.ok(![...p.keys()].some((k) => k.startsWith('Trips/') && !p.get(k)!.is_offline), 'nothing left online at the old place')
      assert.equal(new Set([...p.values()].map((a) => a.original_path)).size, p.size)
    })

    test('what happens in excluded folders and in Hearth\'s data folder is not followed', async () => {
      await settled()
      const before = reads
      await mkdir(join(share.root, 'Beach/@eaDir/new.jpg'), { recursive: true })
      await writeFile(join(share.root, 'Beach/@eaDir/new.jpg/SYNOPHOTO_THUMB_S.jpg'), randomBytes(200))
      await writeFile(join(share.root, 'Beach/._live.jpg'), randomBytes(50))
      const up = await t.client.upload(admin, { name: 'another.jpg', data: randomBytes(2100) })
      assert.equal(up.status, 201)
      await new Promise((ok) => setTimeout(ok, 600))
      await settled()
      assert.equal(reads, before, 'nothing was read')
      assert.ok(![...(await paths()).keys()].some((k) => k.includes('@eaDir') || k.includes('/._') || k.startsWith('hearth-data')))
    })

    test('a share with more folders than the watch budget is followed by polling, and says so', async () => {
      const many = join(share.outside, 'many')
      for (let i = 0; i < 60; i++) await mkdir(join(many, `folder-${i}`), { recursive: true })
      const created = await call('POST', '/api/libraries', { ownerId: adminId, name: 'Big', importPaths: [many] })
      assert.equal(created.status, 201, JSON.stringify(created.body))
      await waitFor('a watch mode decided', async () => (await call('GET', `/api/libraries/${created.body.id as string}`)).body.watchModeReason !== 'not watched yet')
      const got = (await call('GET', `/api/libraries/${created.body.id as string}`)).body
      assert.equal(got.watchMode, 'polling')
      assert.match(got.watchModeReason, /inotify watches/)
      assert.equal((await call('GET', `/api/libraries/${libraryId}`)).body.watchMode, 'inotify', 'the other library is still followed live')
      assert.equal((await call('DELETE', `/api/libraries/${created.body.id as string}`)).status, 204)
    })

    test('the share holds exactly what the test wrote there', async () => {
      await settled()
      const now = await snapshot(share.root)
      const files = [...now.keys()].filter((k) => !k.startsWith('hearth-data') && now.get(k)!.kind === 'file').sort()
      assert.deepEqual(files, [
        '#recycle/deleted.jpg', '#snapshot/GMT+01_2024-01-01/Beach/sea.jpg', '.DS_Store', '@eaDir/sea.jpg/SYNOPHOTO_THUMB_M.jpg',
        'Beach/._live.jpg', 'Beach/._sea.jpg', 'Beach/@eaDir/new.jpg/SYNOPHOTO_THUMB_S.jpg', 'Beach/@eaDir/sunset.jpg/SYNOPHOTO_THUMB_XL.jpg',
        'Beach/Thumbs.db', 'Beach/sea.jpg', 'Beach/sunset.jpg', 'Garden/lawn.jpg', 'Garden/lawn.jpg.xmp',
        'Journeys/2024/Alps/after-move.jpg', 'Journeys/2024/Alps/img-0.jpg', 'Journeys/2024/Alps/img-1.jpg', 'Journeys/2024/Alps/img-2.jpg',
        'Journeys/2024/Alps/img-3.jpg', 'Journeys/2024/Alps/img-4.jpg', 'Journeys/2024/Alps/later.jpg', 'Journeys/2024/Alps/peak.jpg',
        'Videos/clip.mp4', 'Videos/clip.xmp', 'notes.txt',
        ...share.media.filter((m) => m.startsWith('Cameras/')),
      ].sort())
    })
  })
}
