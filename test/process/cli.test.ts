/**
 * The `hearth` command line against real data: `user add` makes a user who can log in to the
 * server, it refuses to open an embedded database a running server holds (naming that process),
 * and `doctor` reports a healthy set-up.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { access } from 'node:fs/promises'
import { join } from 'node:path'
import { engines } from '../helpers/engines.ts'
import { hearthCli, sandbox } from '../helpers/process.ts'

for (const engine of engines) {
  test(`[${engine}] hearth user add, then serve: the user logs in; hearth doctor reports the database`, async (t) => {
    const box = await sandbox(t, engine)
    const vars = { HEARTH_DATA_DIR: box.dataDir, ...box.dbEnv }
    const password = 'a password from stdin'
    const add = await hearthCli(['user', 'add', '--email', 'x@example.org', '--name', 'X', '--password-stdin'], vars, { input: `${password}\n` })
    assert.equal(add.code, 0, `stdout:\n${add.stdout}\nstderr:\n${add.stderr}`)
    assert.match(add.stdout, /^Added x@example\.org \(admin\), id [0-9a-f-]{36}$/m, 'the first user is the admin')
    assert.doesNotMatch(add.stdout, /Password:/, 'no password was generated')
    if (engine === 'pglite') await access(join(box.dataDir, 'db')).catch(() => assert.fail('the embedded database is in the data folder'))
    await assert.rejects(access(join(box.dataDir, 'db', 'hearth.pid')), 'the CLI let go of the database lock')

    const hearth = await box.start()
    const session = await hearth.client.login('x@example.org', password)
    const me = await hearth.client.call('GET', '/api/users/me', { headers: session.headers })
    assert.equal(me.status, 200)
    assert.deepEqual({ email: me.body.email, name: me.body.name, isAdmin: me.body.isAdmin, shouldChangePassword: me.body.shouldChangePassword },
      { email: 'x@example.org', name: 'X', isAdmin: true, shouldChangePassword: false })
    const wrong = await hearth.client.call('POST', '/api/auth/login', { body: { email: 'x@example.org', password: `${password}\n` } })
    assert.equal(wrong.status, 401, 'the newline that ended stdin is not part of the password')

    const second = await hearthCli(['user', 'add', '--email', 'y@example.org', '--name', 'Y', '--password-stdin'], vars, { input: 'another password\n' })
    if (engine === 'pglite') {
      // PGlite must never be opened by two processes: the CLI stops and says who holds it.
      assert.notEqual(second.code, 0)
      assert.match(second.stderr, new RegExp(`in use by another Hearth process \\(pid ${hearth.pid}\\)`), second.stderr)
      assert.match(second.stderr, /Stop it first/)
      assert.equal((await hearth.client.call('POST', '/api/auth/login', { body: { email: 'y@example.org', password: 'another password' } })).status, 401)
      const doctorWhileRunning = await hearthCli(['doctor'], { ...vars, HEARTH_PORT: String(hearth.port) })
      assert.match(doctorWhileRunning.stdout, new RegExp(`\\[ok  \\] Database: embedded, in use by the running Hearth \\(pid ${hearth.pid}\\)`), doctorWhileRunning.stdout)
    } else {
      // A PostgreSQL server is shared safely: the user is added while Hearth runs, and can log in at once.
      assert.equal(second.code, 0, second.stderr)
      assert.match(second.stdout, /^Added y@example\.org, id /m)
      assert.equal((await hearth.client.call('POST', '/api/auth/login', { body: { email: 'y@example.org', password: 'another password' } })).status, 201)
    }
    assert.deepEqual(await hearth.stop(), { code: 0, signal: null })

    const doctor = await hearthCli(['doctor'], { ...vars, HEARTH_PORT: String(hearth.port) })
    assert.equal(doctor.code, 0, `stdout:\n${doctor.stdout}\nstderr:\n${doctor.stderr}`)
    const users = engine === 'pglite' ? 1 : 2
    const kind = engine === 'pglite' ? 'embedded \\(PGlite\\)' : 'PostgreSQL'
    assert.match(doctor.stdout, new RegExp(`^\\[ok  \\] Database: ${kind}, pgvector [\\d.]+, migration (\\d+)/\\1, ${users} user\\(s\\)$`, 'm'), doctor.stdout)
    assert.match(doctor.stdout, /^\[ok {2}\] Data folder: /m)
    assert.match(doctor.stdout, /^\[ok {2}\] ML runtime: CPU \(no NVIDIA GPU device\); [12] inference threads? \(HEARTH_ML_WORKERS\) at nice 10 \(HEARTH_ML_NICE\)$/m, doctor.stdout)
    assert.match(doctor.stdout, /^\[ok {2}\] Federation: off \(HEARTH_FEDERATION=off\): no P2P port$/m, 'the test processes run without federation')
    assert.doesNotMatch(doctor.stdout, /\] P2P port:/, 'no P2P port to check when federation is off')
    assert.match(doctor.stdout, /Hearth looks healthy\./)
    assert.doesNotMatch(doctor.stdout, /FAIL/)
  })
}

test('hearth doctor fails (exit 1) and says what to fix when the database cannot be reached', async (t) => {
  const box = await sandbox(t, 'pglite')
  const r = await hearthCli(['doctor'], { HEARTH_DATA_DIR: box.dataDir, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' })
  assert.equal(r.code, 1, r.stdout)
  assert.match(r.stdout, /^\[FAIL\] Database: /m)
  assert.match(r.stdout, /-> Check DATABASE_URL/)
  assert.match(r.stdout, /1 problem\(s\) to fix\./)
})
