/**
 * A bad configuration stops Hearth before it touches anything: exit 78 (EX_CONFIG), and one
 * message naming every bad variable with what it expects, so one edit fixes them all.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { access, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { hearthEnv, repoRoot, runCommand } from '../helpers/process.ts'

test('a bad configuration exits 78 before listening, naming every bad variable and what it expects', async (t) => {
  const parent = await mkdtemp(join(tmpdir(), 'hearth-process-'))
  t.after(() => rm(parent, { recursive: true, force: true }))
  const dataDir = join(parent, 'data')
  const r = await runCommand(process.execPath, ['--disable-warning=ExperimentalWarning', join(repoRoot, 'appliance/cli/main.ts'), 'serve'], {
    env: hearthEnv({ HEARTH_DATA_DIR: dataDir, HEARTH_PORT: 'notaport', HEARTH_LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x' }),
    timeoutMs: 30_000,
  })
  assert.deepEqual({ code: r.code, signal: r.signal }, { code: 78, signal: null }, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`)
  const lines = r.stderr.split('\n')
  const about = (name: string) => lines.find((l) => l.includes(name))
  assert.match(about('HEARTH_PORT') ?? '', /HEARTH_PORT="notaport": expected a TCP port number \(1-65535\)/)
  assert.match(about('HEARTH_LOG_LEVEL') ?? '', /HEARTH_LOG_LEVEL="loud": expected one of trace, debug, info, warn, error, fatal, silent/)
  assert.match(about('DATABASE_URL') ?? '', /DATABASE_URL=.*: expected a postgres:\/\/ or postgresql:\/\/ URL/)
  assert.match(r.stderr, /configuration is invalid/)
  assert.doesNotMatch(r.stdout, /listening|Hearth is running/)
  await assert.rejects(access(dataDir), { code: 'ENOENT' }, 'the data folder was never created: nothing started')
})
