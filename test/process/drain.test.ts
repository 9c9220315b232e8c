/**
 * SIGTERM (systemd stop, docker stop) lets uploads in flight finish: the upload that was arriving
 * is stored and answered 201, new connections are turned away, and the process exits 0 after.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { engines } from '../helpers/engines.ts'
import { downloadOriginal, httpGet, partialBytes, randomFile, sandbox, sendSlowly, sha256, startUpload, waitFor } from '../helpers/process.ts'

for (const engine of engines) {
  test(`[${engine}] SIGTERM waits for an upload in flight, refuses new connections, then exits 0`, async (t) => {
    const box = await sandbox(t, engine)
    const first = await box.start()
    const admin = await first.client.signUpAdmin()
    const data = randomFile(8 * 1024 * 1024)
    const upload = startUpload(first.url, admin.headers, { fileName: 'arriving.jpg', size: data.length })
    let exitedAt: number | undefined
    void first.exited.then(() => { exitedAt = Date.now() })

    // 8 MiB in 256 KiB pieces every 60 ms (about 2 s); SIGTERM a third of the way through.
    let signalled = false
    let afterSignal: { status: number } | { error: string } | undefined
    const sending = sendSlowly(upload, data, {
      chunk: 256 * 1024, pauseMs: 60,
      between: async (sent) => {
        if (signalled || sent < data.length / 3) return
        await waitFor('bytes in data/library/.partial', async () => await partialBytes(box.dataDir) > 0)
        signalled = true
        first.child.kill('SIGTERM')
        // Once it says it is waiting for this upload, it has stopped accepting: try a new connection.
        await waitFor('the "waiting for uploads" log line', () => first.logs().some((l) => l.msg === 'waiting for uploads in flight before stopping'))
        assert.equal(upload.answeredAt(), undefined, 'the upload is still in flight')
        afterSignal = await httpGet(`${first.url}/api/server/ping`).then((r) => ({ status: r.status }), (err: NodeJS.ErrnoException) => ({ error: err.code ?? err.message }))
      },
    })
    assert.equal(await sending, true, 'the whole body could be sent after SIGTERM')
    assert.equal(await upload.end(), true)
    const res = await upload.response
    assert.ok(signalled)
    assert.equal(res.status, 201, `the upload in flight completes: ${JSON.stringify(res.body)}\n${first.stderr()}`)
    assert.equal(res.body.status, 'created')
    assert.ok(afterSignal !== undefined)
    assert.ok('error' in afterSignal ? afterSignal.error === 'ECONNREFUSED' : afterSignal.status === 503,
      `a new connection after SIGTERM is refused or told 503, got ${JSON.stringify(afterSignal)}`)

    t.diagnostic(`after SIGTERM a new connection got ${JSON.stringify(afterSignal)}`)
    const exit = await first.stop('SIGTERM', 20_000)
    assert.deepEqual(exit, { code: 0, signal: null }, first.stderr())
    assert.ok(exitedAt !== undefined && exitedAt >= upload.answeredAt()!, 'the process exits after answering the upload')
    t.diagnostic(`exited ${exitedAt! - upload.answeredAt()!} ms after answering`)
    const logs = first.logs()
    assert.ok(logs.some((l) => l.msg === 'waiting for uploads in flight before stopping' && l.uploads === 1), 'it said it waited for one upload')
    assert.ok(!logs.some((l) => l.msg === 'grace period over; closing connections still open'), 'it did not need the grace period')

    const second = await box.start()
    const session = await second.client.login('admin@example.org', 'correct horse battery')
    const got = await downloadOriginal(second.url, session.headers, res.body.id as string)
    assert.equal(got.status, 200)
    assert.equal(got.bytes.length, data.length)
    assert.equal(sha256(got.bytes), sha256(data), 'stored byte-identical')
    assert.equal(await partialBytes(box.dataDir), 0)
    assert.deepEqual(await second.stop(), { code: 0, signal: null })
  })
}
