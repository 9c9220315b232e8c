/**
 * The folder view (Immich's /api/view/folder) on both engines: a real share indexed in place lists
 * its folders as they lie on disk, each folder its own files (not those of the folders below); an
 * upload's folder is there too; trashed, locked and archived files are handled as the timeline's
 * other views handle them; another user sees none of it, and a path is only a filter (a made-up or
 * climbing path finds nothing).
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { dirname, join } from 'node:path'
import { engines } from '../helpers/engines.ts'
import { startTestNode, type TestNode } from '../helpers/node.ts'
import type { Session } from '../helpers/client.ts'
import { libraryModule } from '../../appliance/libraries/index.ts'
import sharp from 'sharp'
import { makeShare, type Share } from '../libraries/share.ts'

for (const engine of engines) {
  describe(`[${engine}] folder view`, () => {
    let t: TestNode
    let ann: Session
    let ben: Session
    let share: Share
    let uploaded = ''
    const call = (s: Session | undefined, method: string, path: string, body?: unknown) => t.client.call(method, path, { headers: s?.headers ?? {}, body })
    const inFolder = async (s: Session, path: string) => {
      const r = await call(s, 'GET', `/api/view/folder?path=${encodeURIComponent(path)}`)
      assert.equal(r.status, 200, JSON.stringify(r.body))
      return (r.body as Array<{ originalPath: string }>).map((a) => a.originalPath.slice(share.root.length + 1))
    }

    before(async () => {
      t = await startTestNode(engine, {}, { modules: [libraryModule({ watch: false, scanOnStart: false })] })
      ann = await t.client.signUpAdmin()
      ben = await t.client.createUser(ann, 'ben@example.org')
      share = await makeShare()
      const annId = (await call(ann, 'GET', '/api/users/me')).body.id as string
      const lib = await call(ann, 'POST', '/api/libraries', { ownerId: annId, name: 'Photos', importPaths: [share.root] })
      assert.equal(lib.status, 201, JSON.stringify(lib.body))
      assert.equal((await call(ann, 'POST', `/api/libraries/${lib.body.id}/scan`)).status, 204)
      await t.node.jobs.drained(['library', 'metadataExtraction', 'thumbnailGeneration', 'videoConversion'])
      const photo = await sharp({ create: { width: 16, height: 12, channels: 3, background: '#3a7' } }).jpeg().toBuffer()
      const up = await t.client.upload(ann, { name: 'sea.jpg', data: photo }, { fields: { fileCreatedAt: '2021-07-04T10:00:00Z' } })
      assert.equal(up.status, 201, JSON.stringify(up.body))
      uploaded = (await call(ann, 'GET', `/api/assets/${up.body.id}`)).body.originalPath as string
    })
    after(async () => { await t.stop(); await share.cleanup() })

    test('the folders of a share and of the uploads, as on disk; each folder holds its own files, by name', async () => {
      const paths = (await call(ann, 'GET', '/api/view/folder/unique-paths')).body as string[]
      assert.match(uploaded, /^library\//, 'an upload\'s path is relative to the data folder')
      const expected = [...new Set(share.media.map((m) => dirname(join(share.root, m)))), dirname(uploaded)].sort()
      assert.deepEqual(paths, expected)
      assert.deepEqual(await inFolder(ann, join(share.root, 'Beach')), ['Beach/sea.jpg', 'Beach/sunset.jpg'])
      assert.deepEqual(await inFolder(ann, join(share.root, 'Beach') + '/'), ['Beach/sea.jpg', 'Beach/sunset.jpg'], 'a trailing slash is the same folder')
      assert.deepEqual(await inFolder(ann, share.root), [], 'the share itself holds only folders')
      const mine = await call(ann, 'GET', `/api/view/folder?path=${encodeURIComponent(dirname(uploaded))}`)
      assert.deepEqual((mine.body as Array<{ originalPath: string, originalFileName: string }>).map((a) => [a.originalPath, a.originalFileName]), [[uploaded, 'sea.jpg']])
      assert.deepEqual(await inFolder(ann, join(t.dataDir, dirname(uploaded))), [], 'the data folder\'s own path is not how uploads are asked for')
    })

    test('trashed and locked files leave their folder; archived ones stay; nobody else sees any of it', async () => {
      const beach = join(share.root, 'Beach')
      const ids = Object.fromEntries((await t.node.db.query<{ id: string, original_path: string }>('SELECT id, original_path FROM assets WHERE original_path LIKE $1', [`${beach}/%`]))
        .map((r) => [r.original_path.slice(beach.length + 1), r.id]))
      assert.equal((await call(ann, 'PUT', '/api/assets', { ids: [ids['sea.jpg']], visibility: 'archive' })).status, 204)
      assert.deepEqual(await inFolder(ann, beach), ['Beach/sea.jpg', 'Beach/sunset.jpg'], 'the archive is still in its folder')
      await t.client.lockAway(ann, [ids['sea.jpg']])
      assert.equal((await call(ann, 'DELETE', '/api/assets', { ids: [ids['sunset.jpg']] })).status, 204)
      assert.deepEqual(await inFolder(ann, beach), [])
      assert.ok(!((await call(ann, 'GET', '/api/view/folder/unique-paths')).body as string[]).includes(beach), 'an empty folder is not listed')
      assert.equal((await call(ann, 'POST', '/api/trash/restore/assets', { ids: [ids['sunset.jpg']] })).status, 200)
      assert.deepEqual(await inFolder(ann, beach), ['Beach/sunset.jpg'])
      // Ben: no folders, and Ann's folder (or one climbing out of it) is empty for him.
      assert.deepEqual((await call(ben, 'GET', '/api/view/folder/unique-paths')).body, [])
      assert.deepEqual(await inFolder(ben, beach), [])
      assert.deepEqual(await inFolder(ann, `${beach}/../Beach`), [], 'a path is compared as given, never resolved on disk')
      assert.equal((await call(undefined, 'GET', '/api/view/folder/unique-paths')).status, 401)
      assert.equal((await call(ann, 'GET', '/api/view/folder')).status, 400)
    })
  })
}
