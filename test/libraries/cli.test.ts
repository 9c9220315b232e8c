/**
 * `hearth library add|scan|status` on both engines: with Hearth stopped (the command opens the
 * database and scans in its own process), and with Hearth running (it talks HTTP with an API key).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { engines } from '../helpers/engines.ts'
import { freePort, hearthCli, sandbox } from '../helpers/process.ts'
import { libraryCli, startWithLibraries } from './hearth.ts'
import { makeShare } from './share.ts'

for (const engine of engines) {
  test(`[${engine}] hearth library add, scan and status, with Hearth stopped and running`, { timeout: 240_000 }, async (t) => {
    const box = await sandbox(t, engine)
    const share = await makeShare()
    box.defer(share.cleanup)
    // A port where nothing listens: the command finds no Hearth and opens the database itself.
    const env = { HEARTH_DATA_DIR: box.dataDir, HEARTH_PORT: String(await freePort()), ...box.dbEnv }
    const password = 'grandma has a good password'
    const user = await hearthCli(['user', 'add', '--email', 'grandma@example.org', '--name', 'Grandma', '--admin'], { ...env, HEARTH_NEW_PASSWORD: password })
    assert.equal(user.code, 0, user.stderr)

    const usage = await libraryCli(['frobnicate'], env)
    assert.equal(usage.code, 64)
    assert.match(usage.stdout, /hearth library add PATH/)
    const bad = await libraryCli(['add', '/nonexistent/share'], env)
    assert.equal(bad.code, 1)
    assert.match(bad.stderr, /does not exist/)

    const add = await libraryCli(['add', share.root, '--name', 'Family photos', '--owner', 'grandma@example.org'], env)
    assert.equal(add.code, 0, add.stderr + add.stdout)
    assert.match(add.stdout, /Added library "Family photos"/)
    assert.match(add.stdout, new RegExp(`Scanned "Family photos": ${share.media.length} files, ${share.media.length} new`))
    assert.match(add.stdout, /made when Hearth starts/)

    const status = await libraryCli(['status'], env)
    assert.equal(status.code, 0, status.stderr)
    assert.match(status.stdout, new RegExp(`files +${share.media.length} \\(`))
    assert.match(status.stdout, /Hearth is stopped/)
    await writeFile(join(share.root, 'Beach/cli.jpg'), randomBytes(500))
    const rescan = await libraryCli(['scan', 'Family photos'], env)
    assert.equal(rescan.code, 0, rescan.stderr)
    assert.match(rescan.stdout, /1 new, 0 changed/)
    assert.equal((await libraryCli(['scan', 'No such library'], env)).code, 1)

    // With Hearth running, the command needs an API key, and then talks to it.
    const hearth = await startWithLibraries(box.dataDir, box.dbEnv, box.defer)
    const server = { ...env, HEARTH_PORT: String(hearth.port) }
    const noKey = await libraryCli(['status'], server)
    assert.equal(noKey.code, 1)
    assert.match(noKey.stderr, /HEARTH_API_KEY/)
    const session = await hearth.client.login('grandma@example.org', password)
    const key = await hearth.client.apiKey(session)
    const withKey = { ...server, HEARTH_API_KEY: key.token }
    const live = await libraryCli(['status'], withKey)
    assert.equal(live.code, 0, live.stderr)
    assert.match(live.stdout, /periodic rescans \(polling\)/)
    assert.match(live.stdout, new RegExp(`files +${share.media.length + 1} \\(`))
    await writeFile(join(share.root, 'Beach/cli-2.jpg'), randomBytes(501))
    const scanned = await libraryCli(['scan'], withKey)
    assert.equal(scanned.code, 0, scanned.stderr + scanned.stdout)
    assert.match(scanned.stdout, /Scanned "Family photos": .*1 new/)
    const forcedDirect = await libraryCli(['status', '--direct'], withKey)
    if (engine === 'pglite') assert.equal(forcedDirect.code, 1, 'the embedded database is Hearth\'s while it runs')
    assert.deepEqual(await hearth.stop(), { code: 0, signal: null })
  })
}
