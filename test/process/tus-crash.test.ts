/**
 * kill -9 a real Hearth right after the last byte of a resumable (tus) upload arrived, before the
 * import finished: the next start-up imports it as exactly one asset with the same bytes (a third
 * start imports nothing more), removes damaged uploads with a log line, and leaves unfinished ones
 * for their client to resume.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { appendFile, readdir, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { engines } from '../helpers/engines.ts'
import { downloadOriginal, randomFile, sandbox, sha256, sleep, waitFor, type HearthProcess } from '../helpers/process.ts'

const TUS = { 'tus-resumable': '1.0.0' }
const meta = (m: Record<string, string>) => Object.entries(m).map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`).join(',')
const recoveredLog = (h: HearthProcess) => h.logs().find((l) => l.msg === 'recovered resumable uploads interrupted by a crash')
const removedLogs = (h: HearthProcess) => h.logs().filter((l) => l.msg === 'removed a damaged resumable upload')

async function create (url: string, headers: Record<string, string>, size: number, filename: string): Promise<string> {
  const res = await fetch(`${url}/api/upload/tus`, { method: 'POST', headers: { ...TUS, ...headers, 'upload-length': String(size), 'upload-metadata': meta({ filename, fileCreatedAt: '2023-08-14T09:30:00.000Z' }) } })
  assert.equal(res.status, 201, await res.text())
  return res.headers.get('location')!
}
const patch = (url: string, headers: Record<string, string>, location: string, offset: number, body: Uint8Array) =>
  fetch(url + location, { method: 'PATCH', headers: { ...TUS, ...headers, 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' }, body: body as Uint8Array<ArrayBuffer> })

for (const engine of engines) {
  test(`[${engine}] kill -9 after a tus upload's last byte, before its import: the next start imports it once; damaged uploads are removed; unfinished ones stay`, async (t) => {
    const box = await sandbox(t, engine)
    const uploads = join(box.dataDir, 'library', '.uploads')
    const first = await box.start()
    const admin = await first.client.signUpAdmin()

    // Uploads left in other states by the same crash: unfinished (to resume), one that will hold
    // more bytes than it announced, and one whose info file will be unreadable.
    const half = randomFile(2 * 1024 * 1024)
    const unfinished = await create(first.url, admin.headers, half.length, 'half.mp4')
    assert.equal((await patch(first.url, admin.headers, unfinished, 0, half.subarray(0, 1024 * 1024))).status, 204)
    const tooLong = await create(first.url, admin.headers, 1000, 'long.mp4')
    assert.equal((await patch(first.url, admin.headers, tooLong, 0, randomFile(500))).status, 204)
    const garbled = await create(first.url, admin.headers, 1000, 'garbled.mp4')

    // The upload the crash interrupts: 48 MiB, so its import (fsync, hashing) takes long enough to
    // kill the node after the last byte is on disk and before the import removes the staged file.
    const video = randomFile(48 * 1024 * 1024)
    const location = await create(first.url, admin.headers, video.length, 'holiday.mp4')
    const id = location.split('/').pop()!
    const chunk = 16 * 1024 * 1024
    assert.equal((await patch(first.url, admin.headers, location, 0, video.subarray(0, chunk))).status, 204)
    assert.equal((await patch(first.url, admin.headers, location, chunk, video.subarray(chunk, 2 * chunk))).status, 204)
    const last = patch(first.url, admin.headers, location, 2 * chunk, video.subarray(2 * chunk)).then((r) => r.status, () => 'no answer')
    // Kill the moment the whole file is on disk.
    const deadline = Date.now() + 30_000
    while ((await stat(join(uploads, id)).catch(() => ({ size: 0 }))).size < video.length) {
      assert.ok(Date.now() < deadline, 'the last PATCH arrived')
      await sleep(1)
    }
    assert.deepEqual(await first.kill(), { code: null, signal: 'SIGKILL' })
    assert.equal(await last, 'no answer', 'the client never heard that the upload finished')
    assert.equal((await stat(join(uploads, id))).size, video.length, 'the crash left the finished upload staged')
    const lostLocation = (await stat(join(uploads, `${id}.json`)).catch(() => undefined)) !== undefined
    assert.ok(lostLocation, 'its info is there too')

    await appendFile(join(uploads, tooLong.split('/').pop()!), randomFile(800))
    await writeFile(join(uploads, `${garbled.split('/').pop()!}.json`), '{"id": "trunc')

    const second = await box.start()
    // The log comes through a pipe and may arrive after the ping that said Hearth was ready.
    await waitFor('the recovery log line', () => recoveredLog(second) !== undefined, 10_000).catch(() => {})
    const recovered = recoveredLog(second)
    assert.ok(recovered !== undefined, `start-up reports the recovery; stdout:\n${second.stdout()}`)
    // If the kill came after the asset was committed (before the staged file was removed), the
    // import finds the same bytes and reports a duplicate: either way, exactly one asset.
    assert.equal(Number(recovered.imported) + Number(recovered.duplicates), 1)
    assert.equal(recovered.removed, 2)
    assert.equal(recovered.unfinished, 1)
    const reasons = removedLogs(second).map((l) => l.reason).sort()
    assert.deepEqual(reasons, ['more bytes than announced', 'unreadable upload info'])

    const session = await second.client.login('admin@example.org', 'correct horse battery')
    const search = await second.client.call('POST', '/api/search/metadata', { headers: session.headers, body: { originalFileName: 'holiday.mp4' } })
    assert.equal(search.body.assets.total, 1)
    const asset = search.body.assets.items[0]
    assert.equal(asset.fileCreatedAt, '2023-08-14T09:30:00.000Z', 'the upload\'s metadata was kept')
    const original = await downloadOriginal(second.url, session.headers, asset.id)
    assert.equal(original.status, 200)
    assert.equal(sha256(original.bytes), sha256(video), 'the same bytes')
    const all = await second.client.call('POST', '/api/search/metadata', { headers: session.headers, body: { withDeleted: true } })
    assert.equal(all.body.assets.total, 1, 'no other asset (the damaged and unfinished uploads made none)')

    // What is left in .uploads: only the unfinished upload, which its client resumes.
    const unfinishedId = unfinished.split('/').pop()!
    assert.deepEqual((await readdir(uploads)).filter((f) => !f.startsWith('.')).sort(), [unfinishedId, `${unfinishedId}.json`])
    const head = await fetch(second.url + unfinished, { method: 'HEAD', headers: { ...TUS, ...session.headers } })
    assert.equal(head.headers.get('upload-offset'), String(1024 * 1024))
    const resumed = await patch(second.url, session.headers, unfinished, 1024 * 1024, half.subarray(1024 * 1024))
    assert.equal(resumed.status, 204)
    assert.equal(resumed.headers.get('hearth-asset-status'), 'created')
    // The interrupted upload's own address is gone: it was imported.
    assert.equal((await fetch(second.url + location, { method: 'HEAD', headers: { ...TUS, ...session.headers } })).status, 404)
    assert.deepEqual(await second.stop(), { code: 0, signal: null })

    // Exactly once: another start imports nothing.
    const third = await box.start()
    assert.equal(recoveredLog(third), undefined)
    const again = await third.client.login('admin@example.org', 'correct horse battery')
    const count = await third.client.call('POST', '/api/search/metadata', { headers: again.headers, body: { withDeleted: true } })
    assert.equal(count.body.assets.total, 2, 'the recovered upload and the resumed one')
    assert.deepEqual(await third.stop(), { code: 0, signal: null })
  })
}
