/**
 * The overnight ML window: the decision at any (injected) time, the job gate it drives on both
 * engines (backlog held outside the window while interactive work runs, a few at a time), a
 * real node-cron schedule opening and closing it, and the admin API (system-config, run now,
 * pause) with the settings surviving a restart.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { openDatabase, type Database } from '../../node/db/index.ts'
import { createJobService } from '../../node/jobs/service.ts'
import { priority } from '../../node/jobs/queues.ts'
import { cronAt, createMlWindow, inWindow, isBacklogOpen } from '../../node/ml/window.ts'
import { defaultMlSettings, type MlSettings } from '../../node/ml/settings.ts'
import { engines, freshPostgresDatabase } from '../helpers/engines.ts'
import { startTestNode } from '../helpers/node.ts'
import { waitFor } from '../helpers/process.ts'

const log = pino({ level: 'silent' })
const at = (hhmm: string) => { const [h, m, s] = hhmm.split(':').map(Number); return new Date(2025, 0, 15, h, m, s ?? 0) }

test('the window decision at any local time, across midnight, with pause and run now', () => {
  const night = { start: '01:00', end: '06:00' }
  assert.deepEqual(['00:59:59', '01:00', '03:30', '05:59:59', '06:00', '13:00'].map((t) => inWindow(night, at(t))), [false, true, true, true, false, false])
  const late = { start: '22:30', end: '02:00' }
  assert.deepEqual(['22:29', '22:30', '23:59:59', '00:00', '01:59', '02:00', '12:00'].map((t) => inWindow(late, at(t))), [false, true, true, true, true, false, false])
  assert.equal(inWindow({ start: '00:00', end: '00:00' }, at('15:00')), true, 'equal times: always open')

  const w = defaultMlSettings().hearth.mlWindow
  assert.deepEqual(isBacklogOpen(w, at('02:00')), { open: true, reason: 'window' })
  assert.deepEqual(isBacklogOpen(w, at('12:00')), { open: false, reason: 'outside-window' })
  assert.deepEqual(isBacklogOpen({ ...w, paused: true }, at('02:00')), { open: false, reason: 'paused' })
  const until = at('14:00').toISOString()
  assert.deepEqual(isBacklogOpen({ ...w, runNow: { until, untilEmpty: false } }, at('13:59')), { open: true, reason: 'run-now' })
  assert.deepEqual(isBacklogOpen({ ...w, runNow: { until, untilEmpty: false } }, at('14:00')), { open: false, reason: 'outside-window' })
  assert.deepEqual(isBacklogOpen({ ...w, runNow: { until: null, untilEmpty: true } }, at('12:00')), { open: true, reason: 'run-now' })
  assert.equal(cronAt('01:30'), '0 30 1 * * *')
  assert.equal(cronAt('23:05:07'), '7 5 23 * * *')
})

for (const engine of engines) {
  describe(`[${engine}] the ML window gates the job queues`, () => {
    let db: Database
    let cleanup: () => Promise<void>
    before(async () => {
      const dir = await mkdtemp(join(tmpdir(), 'hearth-window-'))
      const pg = engine === 'postgres' ? await freshPostgresDatabase() : undefined
      db = await openDatabase({ url: pg?.url, dataDir: join(dir, 'db') })
      cleanup = async () => { await db.close(); await pg?.drop(); await rm(dir, { recursive: true, force: true }) }
    })
    after(async () => { await cleanup() })

    test('outside the window only interactive jobs run, one at a time; inside it the backlog runs at full concurrency', async () => {
      const jobs = createJobService({ db, log, pollMs: 30, concurrency: { smartSearch: 3 } })
      const ran: string[] = []
      let running = 0
      let peak = 0
      let release: () => void = () => {}
      let gate = new Promise<void>((ok) => { release = ok })
      jobs.register('smartSearch', async (job) => {
        running++; peak = Math.max(peak, running)
        await gate
        ran.push(job.payload.id as string)
        running--
      })
      let clock = at('12:00')
      let settings: MlSettings = defaultMlSettings({ concurrency: jobs.limits })
      let opened = 0
      const window = createMlWindow({
        jobs, queues: ['smartSearch'], settings: () => settings, log, now: () => clock, tickMs: 3_600_000,
        onOpen: async () => { opened++ }, backlogEmpty: async () => ran.filter((r) => r.startsWith('backlog')).length === 3,
        saveWindow: async (w) => { settings = { ...settings, hearth: { mlWindow: w } } },
      })
      await jobs.start()
      try {
        assert.deepEqual(await window.apply(), { open: false, reason: 'outside-window' })
        assert.equal(opened, 0)
        await jobs.enqueue(...['backlog-1', 'backlog-2', 'backlog-3'].map((id) => ({ queue: 'smartSearch', name: 's', payload: { id }, priority: priority.backlog })))
        await jobs.enqueue(...['upload-1', 'upload-2'].map((id) => ({ queue: 'smartSearch', name: 's', payload: { id }, priority: priority.interactive })))
        await waitFor('an upload starts', () => running >= 1, 15_000)
        // Given time to start more, the queue still runs one job only.
        await new Promise((ok) => setTimeout(ok, 300))
        assert.equal(running, 1, 'outside the window: one at a time')
        release(); gate = Promise.resolve()
        await jobs.drained(['smartSearch'])
        assert.deepEqual(ran, ['upload-1', 'upload-2'], 'only the uploads ran; the backlog waits')
        assert.equal(peak, 1)
        assert.equal((await jobs.status()).smartSearch.jobCounts.waiting, 3)

        // 01:30: the window opens; everything runs, several at once.
        peak = 0
        gate = new Promise<void>((ok) => { release = ok })
        clock = at('01:30')
        assert.deepEqual(await window.tick(), { open: true, reason: 'window' })
        assert.equal(opened, 1, 'the backlog is queued when the window opens')
        await waitFor('inside the window: full concurrency (3 at once)', () => running === 3, 15_000)
        release(); gate = Promise.resolve()
        await jobs.drained(['smartSearch'])
        assert.deepEqual(ran.slice(2).sort(), ['backlog-1', 'backlog-2', 'backlog-3'])

        // 07:00: closed again. "Run now until empty" opens it, and ends itself when the backlog is done.
        clock = at('07:00')
        assert.equal((await window.tick()).open, false)
        settings = { ...settings, hearth: { mlWindow: { ...settings.hearth.mlWindow, runNow: { until: null, untilEmpty: true } } } }
        assert.deepEqual(await window.tick(), { open: false, reason: 'outside-window' }, 'the backlog is already empty: run now ends at once')
        assert.equal(settings.hearth.mlWindow.runNow, null)
        settings = { ...settings, hearth: { mlWindow: { ...settings.hearth.mlWindow, runNow: { until: at('08:00').toISOString(), untilEmpty: false } } } }
        assert.deepEqual(await window.tick(), { open: true, reason: 'run-now' })
        clock = at('08:00')
        assert.deepEqual(await window.tick(), { open: false, reason: 'outside-window' })
        assert.equal(settings.hearth.mlWindow.runNow, null, 'an expired run now is cleared')
        settings = { ...settings, hearth: { mlWindow: { ...settings.hearth.mlWindow, paused: true } } }
        clock = at('02:00')
        assert.deepEqual(await window.tick(), { open: false, reason: 'paused' }, 'paused holds the backlog even in the window')
      } finally {
        // Handlers still held (a failed step above) would keep jobs.stop() waiting for ever and
        // hide the failure behind the test timeout: let them end first.
        release(); gate = Promise.resolve()
        await window.stop()
        await jobs.stop()
      }
    })
  })
}

test('the backlog is queued while the gates still hold it, and they open after (no job finishes between the "not done" read and the insert)', async () => {
  const jobs = createJobService({ db: undefined as unknown as Database, log })
  const settings = defaultMlSettings()
  settings.hearth.mlWindow = { ...settings.hearth.mlWindow, runNow: { until: null, untilEmpty: false } }
  const gates: Array<number | undefined> = []
  const window = createMlWindow({
    jobs, queues: ['ocr'], settings: () => settings, log, backlogEmpty: async () => false, saveWindow: async () => {}, tickMs: 3_600_000,
    onOpen: async () => { gates.push(jobs.gate('ocr')?.minPriority) },
  })
  assert.deepEqual(await window.apply(), { open: true, reason: 'run-now' })
  assert.deepEqual(gates, [priority.interactive], 'while the backlog was queued, only interactive jobs could be claimed')
  assert.equal(jobs.gate('ocr')?.minPriority, undefined, 'then the gate opened')
})

test('a real node-cron schedule opens and closes the window at its edges', async () => {
  const jobs = createJobService({ db: undefined as unknown as Database, log })
  const hhmmss = (d: Date) => [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':')
  const start = new Date(Date.now() + 2000)
  const end = new Date(Date.now() + 4000)
  if (start.getDate() !== end.getDate()) return // do not straddle midnight
  const settings = defaultMlSettings()
  settings.hearth.mlWindow = { ...settings.hearth.mlWindow, start: hhmmss(start), end: hhmmss(end) }
  const window = createMlWindow({ jobs, queues: ['ocr'], settings: () => settings, log, onOpen: async () => {}, backlogEmpty: async () => true, saveWindow: async () => {}, tickMs: 3_600_000 })
  const seen: string[] = []
  await window.start()
  try {
    const poll = setInterval(() => { const s = window.state(); const g = s === undefined ? '?' : s.open ? 'open' : 'closed'; if (seen.at(-1) !== g) seen.push(g) }, 50)
    await new Promise((ok) => setTimeout(ok, 5000))
    clearInterval(poll)
    assert.deepEqual(seen, ['closed', 'open', 'closed'])
    assert.deepEqual(jobs.gate('ocr'), { minPriority: priority.interactive, concurrency: 1 })
  } finally { await window.stop() }
})

for (const engine of engines) {
  test(`[${engine}] the admin API: system-config round trip, validation, run now, pause, and the settings survive a restart`, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'hearth-sysconfig-'))
    const pg = engine === 'postgres' ? await freshPostgresDatabase() : undefined
    const env: Record<string, string> = pg !== undefined ? { DATABASE_URL: pg.url } : {}
    let t = await startTestNode(engine, env, { dataDir })
    try {
      const admin = await t.client.signUpAdmin()
      const user = await t.client.createUser(admin, 'kid@example.org')
      const get = async () => (await t.client.call('GET', '/api/system-config', { headers: admin.headers })).body
      const initial = await get()
      assert.equal(initial.hearth.mlWindow.start, '01:00')
      assert.equal(initial.hearth.mlWindow.end, '06:00')
      assert.equal(initial.machineLearning.clip.modelName, 'ViT-B-32__openai')
      assert.equal(initial.machineLearning.facialRecognition.minScore, 0.7)
      assert.equal((await t.client.call('GET', '/api/system-config', { headers: user.headers })).status, 403)
      assert.equal((await t.client.call('GET', '/api/system-config')).status, 401)

      const put = await t.client.call('PUT', '/api/system-config', { headers: admin.headers, body: { hearth: { mlWindow: { start: '23:00', end: '05:30' } }, machineLearning: { facialRecognition: { minScore: 0.8 } } } })
      assert.equal(put.status, 200, JSON.stringify(put.body))
      assert.equal(put.body.hearth.mlWindow.start, '23:00')
      assert.equal(put.body.machineLearning.facialRecognition.minScore, 0.8)
      assert.equal(put.body.machineLearning.facialRecognition.minFaces, 3, 'fields not sent are kept')
      const bad = await t.client.call('PUT', '/api/system-config', { headers: admin.headers, body: { hearth: { mlWindow: { start: '25:00' } }, machineLearning: { urls: ['ftp://x'] } } })
      assert.equal(bad.status, 400)
      assert.match(bad.body.message, /hearth.mlWindow.start: expected a local time/)
      assert.match(bad.body.message, /machineLearning.urls.0: expected http/)
      assert.equal((await get()).hearth.mlWindow.start, '23:00', 'a refused change stores nothing')

      const until = new Date(Date.now() + 3_600_000).toISOString()
      const run = await t.client.call('POST', '/api/admin/ml/window', { headers: admin.headers, body: { action: 'run-now', until } })
      assert.equal(run.status, 200)
      assert.deepEqual(run.body.state, { open: true, reason: 'run-now' })
      assert.equal(t.node.jobs.gate('smartSearch')?.minPriority, undefined, 'the gate is open')
      const pause = await t.client.call('POST', '/api/admin/ml/window', { headers: admin.headers, body: { action: 'pause' } })
      assert.deepEqual(pause.body.state, { open: false, reason: 'paused' })
      assert.equal(pause.body.runNow, null)
      assert.equal(t.node.jobs.gate('smartSearch')?.minPriority, priority.interactive)
      assert.equal((await t.client.call('POST', '/api/admin/ml/window', { headers: admin.headers, body: { action: 'run-now', until: '2001-01-01T00:00:00Z' } })).status, 400)

      const status = await t.client.call('GET', '/api/admin/ml', { headers: admin.headers })
      assert.equal(status.status, 200)
      assert.deepEqual(status.body.packs.map((p: { pack: string, state: string, fix?: string }) => [p.pack, p.state, p.fix]), [['lite', 'missing', 'hearth models fetch lite'], ['immich', 'missing', 'hearth models fetch immich']])
      assert.equal(status.body.window.paused, true)

      await t.stop()
      t = await startTestNode(engine, env, { dataDir })
      const again = await t.client.login('admin@example.org', 'correct horse battery')
      const after = (await t.client.call('GET', '/api/system-config', { headers: again.headers })).body
      assert.equal(after.hearth.mlWindow.start, '23:00')
      assert.equal(after.hearth.mlWindow.paused, true)
      assert.equal(after.machineLearning.facialRecognition.minScore, 0.8)
      assert.deepEqual(after.hearth.mlWindowState, { open: false, reason: 'paused' })
    } finally {
      await t.stop()
      await pg?.drop()
      await rm(dataDir, { recursive: true, force: true })
    }
  })
}
