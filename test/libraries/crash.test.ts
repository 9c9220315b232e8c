/**
 * kill -9 in the middle of a first scan of a few thousand files, then a restart: the jobs service
 * picks the scan up again, and when it is done every file of the share is indexed exactly once,
 * with exactly one metadata job per asset, and the share is byte for byte as it was.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase } from '../../node/db/index.ts'
import type { Client } from '../helpers/client.ts'
import { databaseEnv, engines } from '../helpers/engines.ts'
import { deferrals, waitFor } from '../helpers/process.ts'
import { startWithLibraries as start } from './hearth.ts'
import { snapshot } from './share.ts'

const FOLDERS = 30
const PER_FOLDER = 100

for (const engine of engines) {
  test(`[${engine}] a scan killed with kill -9 and restarted indexes every file exactly once`, { timeout: 300_000 }, async (t) => {
    const defer = deferrals(t)
    const base = await mkdtemp(join(tmpdir(), 'hearth-crash-scan-'))
    defer(() => rm(base, { recursive: true, force: true }))
    const dataDir = join(base, 'data')
    const shareRoot = join(base, 'share')
    const expected: string[] = []
    for (let f = 0; f < FOLDERS; f++) {
      const folder = join(shareRoot, `2024-${String(f).padStart(2, '0')}`)
      await mkdir(folder, { recursive: true })
      for (let i = 0; i < PER_FOLDER; i++) {
        const path = join(folder, `IMG_${String(i).padStart(4, '0')}.jpg`)
        await writeFile(path, randomBytes(16 + (i % 48)))
        expected.push(path)
      }
    }
    expected.sort()
    const shareBefore = await snapshot(shareRoot)
    const db = await databaseEnv(engine)
    defer(db.cleanup)

    // Each read slowed down so the scan is surely under way when the kill comes.
    const first = await start(dataDir, { ...db.env, HEARTH_TEST_HASH_DELAY_MS: '2' }, defer)
    const admin = await first.client.signUpAdmin()
    const me = (await first.client.call('GET', '/api/users/me', { headers: admin.headers })).body
    const lib = await first.client.call('POST', '/api/libraries', { headers: admin.headers, body: { ownerId: me.id, name: 'Photos', importPaths: [shareRoot] } })
    assert.equal(lib.status, 201, JSON.stringify(lib.body))
    const id = lib.body.id as string
    assert.equal((await first.client.call('POST', `/api/libraries/${id}/scan`, { headers: admin.headers })).status, 204)
    const total = async (c: Client) => (await c.call('GET', `/api/libraries/${id}/statistics`, { headers: admin.headers })).body.total as number
    let atKill = 0
    await waitFor('part of the share indexed', async () => { atKill = await total(first.client); return atKill > 0 }, 60_000)
    assert.deepEqual(await first.kill(), { code: null, signal: 'SIGKILL' })
    assert.ok(atKill < expected.length, `killed mid-scan (${atKill} of ${expected.length} indexed)`)
    t.diagnostic(`killed with ${atKill} of ${expected.length} files indexed`)

    const second = await start(dataDir, db.env, defer)
    const session = await second.client.login('admin@example.org', 'correct horse battery')
    await waitFor('the scan picked up and finished', async () => {
      const library = (await second.client.call('GET', `/api/libraries/${id}`, { headers: session.headers })).body
      return library.scan?.status === 'idle' && await total(second.client) === expected.length
    }, 120_000)
    assert.match(second.stdout(), /picked up jobs a previous run left unfinished/)
    assert.deepEqual(await second.stop(), { code: 0, signal: null })

    const handle = await openDatabase({ url: db.env.DATABASE_URL, dataDir: join(dataDir, 'db') })
    try {
      const rows = await handle.query<{ original_path: string, n: number }>(
        'SELECT original_path, count(*)::int AS n FROM assets WHERE library_id = $1 GROUP BY original_path ORDER BY original_path', [id])
      assert.equal(rows.length, expected.length)
      assert.ok(rows.every((r) => r.n === 1), 'no file twice')
      assert.deepEqual(rows.map((r) => r.original_path).sort(), expected)
      // (The ingest service may queue an asset again at start-up when its pipeline was cut short.)
      const jobs = await handle.query<{ assets: number }>(
        `SELECT count(DISTINCT payload->>'assetId')::int AS assets FROM jobs WHERE queue = 'metadataExtraction'`)
      assert.equal(jobs[0].assets, expected.length, 'every asset went to metadata extraction')
      const orphans = await handle.query(
        `SELECT 1 FROM jobs j WHERE queue = 'metadataExtraction' AND NOT EXISTS (SELECT 1 FROM assets a WHERE a.id = (j.payload->>'assetId')::uuid)`)
      assert.equal(orphans.length, 0, 'no job for an asset that was never committed')
    } finally {
      await handle.close()
    }
    assert.deepEqual(await snapshot(shareRoot), shareBefore, 'the share is untouched')
  })
}
