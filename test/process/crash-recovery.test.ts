/**
 * kill -9 at the worst moments: whatever a crash leaves (a half-received temporary file, a file
 * linked into the library whose asset row was never committed), the next start-up undoes it, and
 * never touches an asset that was committed.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { engines } from '../helpers/engines.ts'
import { downloadOriginal, listFiles, partialBytes, randomFile, sandbox, sendSlowly, sha256, startUpload, waitFor } from '../helpers/process.ts'

const recovered = (logs: Array<Record<string, unknown>>) => logs.find((l) => l.msg === 'cleaned up uploads interrupted by a crash')

for (const engine of engines) {
  test(`[${engine}] kill -9 in the middle of an upload leaves no asset, no temporary file and no journal entry`, async (t) => {
    const box = await sandbox(t, engine)
    const first = await box.start()
    const admin = await first.client.signUpAdmin()
    const data = randomFile(30 * 1024 * 1024)
    const upload = startUpload(first.url, admin.headers, { fileName: 'long-video.mp4', size: data.length })
    // 1 MiB, then 64 KiB every 20 ms: the body is surely still arriving when the kill comes.
    assert.ok(await upload.write(data.subarray(0, 1024 * 1024)))
    const sending = sendSlowly(upload, data, { from: 1024 * 1024, chunk: 64 * 1024, pauseMs: 20 })
    await waitFor('bytes in data/library/.partial', async () => await partialBytes(box.dataDir) > 0)
    const killed = await first.kill()
    assert.deepEqual(killed, { code: null, signal: 'SIGKILL' })
    assert.equal(await sending, false, 'the upload could not finish')
    await assert.rejects(upload.response, 'the client got no answer')
    assert.ok(upload.sent() < data.length)
    assert.ok(await partialBytes(box.dataDir) > 0, 'the crash left a temporary file behind')

    const second = await box.start()
    const log = recovered(second.logs())
    assert.ok(log !== undefined, `start-up reports the clean-up; stdout:\n${second.stdout()}`)
    assert.equal(log.partials, 1)
    assert.equal(log.undone, 0)
    assert.deepEqual(await listFiles(join(box.dataDir, 'library')), [], 'nothing in the library, .partial included')
    const session = await second.client.login('admin@example.org', 'correct horse battery')
    const search = await second.client.call('POST', '/api/search/metadata', { headers: session.headers, body: { withDeleted: true } })
    assert.equal(search.status, 200)
    assert.equal(search.body.assets.total, 0)
    assert.deepEqual((await second.client.call('GET', '/api/assets/statistics', { headers: session.headers })).body, { images: 0, videos: 0, total: 0 })
    const me = await second.client.call('GET', '/api/users/me', { headers: session.headers })
    assert.equal(me.body.quotaUsageInBytes, 0, 'no quota was charged')

    // The same file uploads afterwards (it is not taken for a duplicate of the lost one).
    const retry = await second.client.upload(session, { name: 'long-video.mp4', data })
    assert.equal(retry.status, 201, JSON.stringify(retry.body))
    assert.deepEqual(await second.stop(), { code: 0, signal: null })
    const journal = await box.withDb(async (db) => ({
      intents: (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM upload_intents'))[0].n,
      assets: (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM assets'))[0].n,
    }))
    assert.deepEqual(journal, { intents: 0, assets: 1 })
  })

  test(`[${engine}] start-up undoes a journalled file whose asset was never committed, and leaves committed assets alone`, async (t) => {
    const box = await sandbox(t, engine)
    const first = await box.start()
    const admin = await first.client.signUpAdmin()
    const kept = randomFile(200 * 1024)
    const up = await first.client.upload(admin, { name: 'kept.jpg', data: kept })
    assert.equal(up.status, 201, JSON.stringify(up.body))
    assert.deepEqual(await first.stop(), { code: 0, signal: null })

    // What a crash after the link but before the commit leaves: the journal row and the file (and its sidecar).
    const orphan = join(box.dataDir, 'library', 'admin', '2024', '01', 'x.jpg')
    await mkdir(join(orphan, '..'), { recursive: true })
    await writeFile(orphan, randomFile(4096))
    await writeFile(`${orphan}.xmp`, '<x:xmpmeta/>')
    const keptPath = await box.withDb(async (db) => {
      const [asset] = await db.query<{ original_path: string }>('SELECT original_path FROM assets WHERE id = $1', [up.body.id])
      await db.query('INSERT INTO upload_intents (id, final_path, sidecar_path) VALUES ($1, $2, $3)', ['01900000-0000-7000-8000-000000000001', orphan, `${orphan}.xmp`])
      // And a journal row a crash left after the commit's files but naming a committed asset: only the row goes.
      await db.query('INSERT INTO upload_intents (id, final_path) VALUES ($1, $2)', ['01900000-0000-7000-8000-000000000002', asset.original_path])
      return asset.original_path
    })
    assert.deepEqual(await listFiles(join(box.dataDir, 'library')), ['admin/2024/01/x.jpg', 'admin/2024/01/x.jpg.xmp', 'admin/2024/07/kept.jpg'])
    assert.equal(keptPath, join(box.dataDir, 'library', 'admin', '2024', '07', 'kept.jpg'))

    // A crash also leaves a stale lock (PGlite) and a temporary file: start-up copes with both.
    await writeFile(join(box.dataDir, 'library', '.partial', 'leftover.part'), randomFile(1000))
    if (engine === 'pglite') await writeFile(join(box.dataDir, 'db', 'hearth.pid'), '999999')

    const second = await box.start()
    const log = recovered(second.logs())
    assert.ok(log !== undefined, `start-up reports the clean-up; stdout:\n${second.stdout()}`)
    assert.deepEqual({ partials: log.partials, undone: log.undone }, { partials: 1, undone: 1 })
    assert.deepEqual(await listFiles(join(box.dataDir, 'library')), ['admin/2024/07/kept.jpg'], 'the orphan and its sidecar are gone; the committed original stays')
    assert.equal(sha256(await readFile(keptPath)), sha256(kept))
    const session = await second.client.login('admin@example.org', 'correct horse battery')
    const got = await downloadOriginal(second.url, session.headers, up.body.id as string)
    assert.equal(got.status, 200)
    assert.equal(sha256(got.bytes), sha256(kept))
    const search = await second.client.call('POST', '/api/search/metadata', { headers: session.headers, body: {} })
    assert.deepEqual(search.body.assets.items.map((a: { id: string }) => a.id), [up.body.id])

    assert.deepEqual(await second.stop(), { code: 0, signal: null })
    const intents = await box.withDb(async (db) => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM upload_intents'))[0].n)
    assert.equal(intents, 0, 'the journal is empty')
  })
}
