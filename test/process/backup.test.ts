/**
 * Database backups on both engines, with real Hearth processes: an admin backs up through the API
 * (0600 file in a 0700 folder, listed, downloadable, never to other users), the oldest beyond
 * HEARTH_DB_BACKUP_KEEP go, a failing backup leaves no file; then, with Hearth stopped,
 * `hearth db restore` puts the backup back: albums, favourites and users as they were when it was
 * taken, later changes gone, the replaced embedded database kept aside. A restore while Hearth runs
 * on the embedded database is refused.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import { engines } from '../helpers/engines.ts'
import { hearthCli, sandbox } from '../helpers/process.ts'

for (const engine of engines) {
  test(`[${engine}] database backups: made by an admin, kept to HEARTH_DB_BACKUP_KEEP, restored with hearth db restore`, async (t) => {
    const box = await sandbox(t, engine)
    const vars = { HEARTH_DATA_DIR: box.dataDir, ...box.dbEnv }
    let hearth = await box.start({ HEARTH_DB_BACKUP_KEEP: '2' })
    const c = hearth.client
    const admin = await c.signUpAdmin()
    const bob = await c.createUser(admin, 'bob@example.org')
    const photo = async (colour: string) => (await c.upload(admin, { name: `${colour.slice(1)}.jpg`, data: await sharp({ create: { width: 16, height: 16, channels: 3, background: colour } }).jpeg().toBuffer() })).body.id as string
    const [one, two] = [await photo('#a33'), await photo('#3a3')]
    const summer = (await c.call('POST', '/api/albums', { headers: admin.headers, body: { albumName: 'Summer', assetIds: [one, two] } })).body.id as string
    assert.equal((await c.call('PUT', `/api/assets/${one}`, { headers: admin.headers, body: { isFavorite: true } })).status, 200)

    // Admins only.
    assert.equal((await c.call('POST', '/api/admin/database-backups', { headers: bob.headers })).status, 403)
    assert.equal((await c.call('GET', '/api/admin/database-backups')).status, 401)
    const made = await c.call('POST', '/api/admin/database-backups', { headers: admin.headers })
    assert.equal(made.status, 201, JSON.stringify(made.body))
    const name = made.body.filename as string
    assert.match(name, new RegExp(`^hearth-db-${engine}-\\d{8}T\\d{6}Z(-\\d+)?\\.${engine === 'pglite' ? 'tar\\.gz' : 'dump'}$`))
    const folder = join(box.dataDir, 'backups')
    const file = join(folder, name)
    assert.equal((await stat(file)).mode & 0o777, 0o600, 'only Hearth reads a backup: it holds password hashes')
    assert.equal((await stat(folder)).mode & 0o777, 0o700)
    assert.equal((await stat(file)).size, made.body.filesize)
    const listed = (await c.call('GET', '/api/admin/database-backups', { headers: admin.headers })).body.backups as Array<{ filename: string }>
    assert.deepEqual(listed.map((b) => b.filename), [name])
    const download = await fetch(`${hearth.url}/api/admin/database-backups/${name}`, { headers: admin.headers })
    assert.equal(download.status, 200)
    assert.deepEqual(Buffer.from(await download.arrayBuffer()), await readFile(file), 'downloaded byte for byte')
    assert.equal((await fetch(`${hearth.url}/api/admin/database-backups/..%2F..%2Fetc%2Fpasswd`, { headers: admin.headers })).status, 404)
    assert.equal((await fetch(`${hearth.url}/api/admin/database-backups/${name}`, { headers: bob.headers })).status, 403)

    // Two kept: a third backup takes the oldest away. An unknown name is refused and removes nothing.
    const second = (await c.call('POST', '/api/admin/database-backups', { headers: admin.headers })).body.filename as string
    const third = (await c.call('POST', '/api/admin/database-backups', { headers: admin.headers })).body.filename as string
    assert.deepEqual((await readdir(folder)).sort(), [second, third].sort(), 'the oldest went')
    const bad = await c.call('DELETE', '/api/admin/database-backups', { headers: admin.headers, body: { backups: [third, 'nope.dump'] } })
    assert.equal(bad.status, 400)
    assert.equal((await readdir(folder)).length, 2)
    assert.equal((await c.call('DELETE', '/api/admin/database-backups', { headers: admin.headers, body: { backups: [third] } })).status, 204)
    assert.deepEqual(await readdir(folder), [second])

    // Changes after the backup: these must be gone after the restore.
    assert.equal((await c.call('DELETE', `/api/albums/${summer}`, { headers: admin.headers })).status, 204)
    assert.equal((await c.call('POST', '/api/albums', { headers: admin.headers, body: { albumName: 'Winter' } })).status, 201)
    await c.createUser(admin, 'carol@example.org')

    if (engine === 'pglite') {
      const busy = await hearthCli(['db', 'restore', join(folder, second)], vars)
      assert.equal(busy.code, 75, busy.stderr)
      assert.match(busy.stderr, /Hearth is running on this data folder .*stop it first/)
    }
    await hearth.stop()
    const restore = await hearthCli(['db', 'restore', join(folder, second)], vars)
    assert.equal(restore.code, 0, `stdout:\n${restore.stdout}\nstderr:\n${restore.stderr}`)
    assert.match(restore.stdout, /Restored .*: 2 users, 2 assets\./)
    if (engine === 'pglite') {
      const aside = (await readdir(box.dataDir)).filter((n) => n.startsWith('db.before-restore-'))
      assert.equal(aside.length, 1, 'the replaced database is kept aside')
      assert.match(restore.stdout, /is kept in .*db\.before-restore-/)
    }

    hearth = await box.start()
    const again = await hearth.client.login('admin@example.org', 'correct horse battery')
    const albums = (await hearth.client.call('GET', '/api/albums', { headers: again.headers })).body as Array<{ albumName: string, assetCount: number }>
    assert.deepEqual(albums.map((a) => [a.albumName, a.assetCount]), [['Summer', 2]])
    assert.equal((await hearth.client.call('GET', `/api/assets/${one}`, { headers: again.headers })).body.isFavorite, true)
    assert.equal((await hearth.client.call('POST', '/api/auth/login', { body: { email: 'carol@example.org', password: 'another good password' } })).status, 401, 'a user added later is gone')
    assert.equal((await hearth.client.call('GET', `/api/assets/${two}/thumbnail`, { headers: again.headers })).status, 200, 'files were never touched')
    await hearth.stop()

    // Not a backup of this engine's kind, or not there: refused, nothing changed.
    const wrongKind = await hearthCli(['db', 'restore', join(box.dataDir, engine === 'pglite' ? 'x.dump' : 'x.tar.gz')], vars)
    assert.notEqual(wrongKind.code, 0)
  })
}

test('[pglite] a backup that fails (no room) leaves no file and keeps the earlier ones', async (t) => {
  const { createBackupService } = await import('../../node/backups/service.ts')
  const { createLogger } = await import('../../node/observability/log.ts')
  const { mkdtemp, rm, writeFile, mkdir } = await import('node:fs/promises')
  const { tmpdir } = await import('node:os')
  const dir = await mkdtemp(join(tmpdir(), 'hearth-backup-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  await mkdir(join(dir, 'backups'))
  const earlier = 'hearth-db-pglite-20261201T020000Z.tar.gz'
  await writeFile(join(dir, 'backups', earlier), 'an earlier backup')
  const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
  const backups = createBackupService({
    db: { engine: 'pglite', backup: async (file) => { await writeFile(file, 'half a backup'); throw full } },
    dataDir: dir, keep: 14, log: createLogger({ level: 'silent', format: 'json' }),
  })
  await assert.rejects(backups.create(), /no space left/)
  assert.deepEqual(await readdir(join(dir, 'backups')), [earlier])
})
