import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigError, loadConfig } from './load.ts'
import { parseBytes } from './schema.ts'

test('defaults serve a household with no configuration', () => {
  const c = loadConfig({})
  assert.equal(c.HEARTH_PORT, 2284)
  assert.equal(c.HEARTH_SFTP_PORT, 2222)
  assert.equal(c.HEARTH_P2P_PORT, 4001)
  assert.equal(c.DATABASE_URL, undefined)
  assert.ok(c.HEARTH_DATA_DIR.endsWith('/data'))
  assert.ok(Object.isFrozen(c))
})

test('every bad value is reported at once, naming the variable and what it expects', () => {
  let err: unknown
  try {
    loadConfig({ HEARTH_PORT: 'eighty', HEARTH_SFTP_PORT: '70000', DATABASE_URL: 'mysql://x', HEARTH_LOG_LEVEL: 'loud', HEARTH_MAX_UPLOAD_SIZE: 'huge' })
  } catch (e) { err = e }
  assert.ok(err instanceof ConfigError)
  const text = err.message
  for (const name of ['HEARTH_PORT', 'HEARTH_SFTP_PORT', 'DATABASE_URL', 'HEARTH_LOG_LEVEL', 'HEARTH_MAX_UPLOAD_SIZE']) {
    assert.match(text, new RegExp(name), `${name} is named`)
  }
  assert.equal(err.problems.length, 5)
  assert.match(text, /postgres:\/\//)
  assert.match(text, /1-65535/)
})

test('a config file is read, and the environment wins over it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hearth-config-'))
  const file = join(dir, 'hearth.json')
  await writeFile(file, JSON.stringify({ HEARTH_PORT: 3000, HEARTH_TRASH_DAYS: 7 }))
  const c = loadConfig({ HEARTH_CONFIG: file, HEARTH_TRASH_DAYS: '14' })
  assert.equal(c.HEARTH_PORT, 3000)
  assert.equal(c.HEARTH_TRASH_DAYS, 14)
  // hearth.json in the data folder is found without HEARTH_CONFIG.
  assert.equal(loadConfig({ HEARTH_DATA_DIR: dir }).HEARTH_PORT, 3000)
})

test('a config file with unknown keys or bad JSON is refused with its name', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hearth-config-'))
  const file = join(dir, 'bad.json')
  await writeFile(file, JSON.stringify({ HEARTH_PROT: 1 }))
  assert.throws(() => loadConfig({ HEARTH_CONFIG: file }), /HEARTH_PROT.*not a Hearth setting/)
  await writeFile(file, '{ nope')
  assert.throws(() => loadConfig({ HEARTH_CONFIG: file }), /bad\.json/)
})

test('sizes parse with units', () => {
  assert.equal(parseBytes('500MB'), 500e6)
  assert.equal(parseBytes('2GiB'), 2 * 1024 ** 3)
  assert.equal(parseBytes('1048576'), 1048576)
  assert.equal(parseBytes('lots'), undefined)
  assert.equal(loadConfig({ HEARTH_MAX_UPLOAD_SIZE: '1GiB' }).HEARTH_MAX_UPLOAD_SIZE, 1024 ** 3)
})

test('an https public URL turns on secure cookies', () => {
  assert.equal(loadConfig({ HEARTH_PUBLIC_URL: 'https://photos.example.org' }).HEARTH_SECURE_COOKIES, true)
  assert.equal(loadConfig({}).HEARTH_SECURE_COOKIES, false)
})
