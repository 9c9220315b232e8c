/**
 * The integrity check of originals (appliance/integrity) on a real node with a real share: an
 * upload whose bytes changed or whose file went is reported, as is a share's file whose bytes
 * changed under the same size and modification time (bit rot); a share's file its owner edited
 * (a new time) is not, nor one the scans already know is gone. Only admins start or read it, and
 * it writes to no original.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, stat, unlink, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import sharp from 'sharp'
import { oneEngine } from '../helpers/engines.ts'
import { startTestNode, type TestNode } from '../helpers/node.ts'
import type { Session } from '../helpers/client.ts'
import { libraryModule } from '../../appliance/libraries/index.ts'
import { integrityModule } from '../../appliance/integrity/index.ts'

interface Report { checked: number, total: number, bytes: number, interrupted: boolean, finishedAt: string | null, problems: Array<{ kind: string, assetId: string, path: string, detail: string }> }

for (const engine of oneEngine('pglite')) {
  describe(`[${engine}] integrity check of originals`, () => {
    let t: TestNode
    let admin: Session, bob: Session
    let share = ''
    const call = (s: Session | undefined, method: string, path: string, body?: unknown) => t.client.call(method, path, { headers: s?.headers, body })
    const jpeg = (colour: string) => sharp({ create: { width: 32, height: 24, channels: 3, background: colour } }).jpeg().toBuffer()
    /** Flips one byte in the middle of a file and puts its modification time back. */
    const rot = async (path: string) => {
      const before = await stat(path)
      const data = await readFile(path)
      data[data.length >> 1] = data[data.length >> 1]! ^ 0x40
      await writeFile(path, data)
      await utimes(path, before.atime, before.mtime)
    }

    before(async () => {
      t = await startTestNode(engine, {}, { modules: [libraryModule({ watch: false, scanOnStart: false }), integrityModule()] })
      admin = await t.client.signUpAdmin()
      bob = await t.client.createUser(admin, 'bob@example.org')
      share = await mkdtemp(join(tmpdir(), 'hearth-share-'))
    })
    after(async () => { await t.stop(); await rm(share, { recursive: true, force: true }) })

    test('missing and damaged uploads and bit rot in a share are reported; an edited or offline share file is not; admins only', async () => {
      const up = async (colour: string) => (await t.client.upload(admin, { name: `${colour.slice(1)}.jpg`, data: await jpeg(colour) })).body.id as string
      const [intact, damaged, gone] = [await up('#a11'), await up('#1a1'), await up('#11a')]
      for (const [name, colour] of [['rotten.jpg', '#c33'], ['edited.jpg', '#3c3'], ['fine.jpg', '#33c'], ['removed.jpg', '#999']] as const) await writeFile(join(share, name), await jpeg(colour))
      const adminId = (await call(admin, 'GET', '/api/users/me')).body.id
      const lib = await call(admin, 'POST', '/api/libraries', { ownerId: adminId, name: 'Share', importPaths: [share] })
      assert.equal(lib.status, 201)
      assert.equal((await call(admin, 'POST', `/api/libraries/${lib.body.id as string}/scan`)).status, 204)
      await t.node.jobs.drained(['library', 'metadataExtraction', 'thumbnailGeneration'])
      // A file removed, then noticed by a rescan: offline, already known.
      await unlink(join(share, 'removed.jpg'))
      assert.equal((await call(admin, 'POST', `/api/libraries/${lib.body.id as string}/scan`)).status, 204)
      await t.node.jobs.drained(['library'])
      const path = async (id: string) => resolve(t.dataDir, (await call(admin, 'GET', `/api/assets/${id}`)).body.originalPath as string)

      await rot(await path(damaged))
      await unlink(await path(gone))
      await rot(join(share, 'rotten.jpg'))
      await writeFile(join(share, 'edited.jpg'), await jpeg('#3d3')) // its owner saved it again: a new time
      const intactBefore = await readFile(await path(intact))

      assert.equal((await call(bob, 'POST', '/api/admin/integrity')).status, 403)
      assert.equal((await call(undefined, 'GET', '/api/admin/integrity')).status, 401)
      assert.equal((await call(admin, 'POST', '/api/admin/integrity')).status, 202)
      let state: { running: boolean, last: Report | null } = { running: true, last: null }
      for (let i = 0; i < 200 && (state.running || state.last === null); i++) {
        await new Promise((r) => setTimeout(r, 50))
        state = (await call(admin, 'GET', '/api/admin/integrity')).body
      }
      const report = state.last!
      assert.equal(report.interrupted, false)
      assert.ok(report.finishedAt !== null)
      assert.equal(report.total, 7)
      assert.equal(report.checked, 7)
      const found = report.problems.map((p) => [p.kind, p.path.endsWith('rotten.jpg') ? 'rotten.jpg' : p.assetId]).sort()
      assert.deepEqual(found, [['damaged', damaged], ['damaged', 'rotten.jpg'], ['missing', gone]].sort())
      assert.match(report.problems.find((p) => p.path.endsWith('rotten.jpg'))!.detail, /size and modification time stayed the same/)
      assert.match(report.problems.find((p) => p.assetId === gone)!.detail, /not there/)
      assert.deepEqual(await readFile(await path(intact)), intactBefore, 'nothing written to originals')
      // The admins are told (an in-app notification); others are not.
      const told = (await call(admin, 'GET', '/api/notifications?type=SystemMessage')).body as Array<{ level: string, title: string }>
      assert.deepEqual(told.map((n) => [n.level, n.title]), [['error', '3 originals are missing or damaged']])
      assert.deepEqual((await call(bob, 'GET', '/api/notifications')).body, [])
    })
  })
}
