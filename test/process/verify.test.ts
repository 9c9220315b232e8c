/**
 * `hearth verify` with a real Hearth process: with Hearth running it asks for an admin's API key,
 * then has the server check and follows it (exit 0, every original intact); after a byte of an
 * original flips it lists that file as damaged and exits 1; with Hearth stopped it opens the
 * database itself and finds the same, and a deleted original as missing. No original is written.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile, stat, unlink, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import { hearthCli, listFiles, sandbox } from '../helpers/process.ts'

test('[pglite] hearth verify: through the running Hearth, then on its own; damaged and missing originals exit 1', async (t) => {
  const box = await sandbox(t, 'pglite')
  const hearth = await box.start()
  const admin = await hearth.client.signUpAdmin()
  for (const colour of ['#a33', '#3a3']) {
    const up = await hearth.client.upload(admin, { name: `${colour.slice(1)}.jpg`, data: await sharp({ create: { width: 32, height: 24, channels: 3, background: colour } }).jpeg().toBuffer() })
    assert.equal(up.status, 201)
  }
  const key = await hearth.client.apiKey(admin)
  const vars = { HEARTH_DATA_DIR: box.dataDir, HEARTH_URL: hearth.url }

  const noKey = await hearthCli(['verify'], vars)
  assert.equal(noKey.code, 1)
  assert.match(noKey.stderr, /Hearth is running at .*give the command an admin's API key in HEARTH_API_KEY/)

  const fine = await hearthCli(['verify'], { ...vars, HEARTH_API_KEY: key.token })
  assert.equal(fine.code, 0, `stdout:\n${fine.stdout}\nstderr:\n${fine.stderr}`)
  assert.match(fine.stdout, /Checked 2 of 2 originals \(.* read\): every one is intact\./)

  // A byte flips in one original (its time put back, as bit rot leaves it).
  const originals = (await listFiles(join(box.dataDir, 'library'))).filter((f) => f.endsWith('.jpg')).map((f) => join(box.dataDir, 'library', f))
  assert.equal(originals.length, 2)
  const [rotten, gone] = originals as [string, string]
  const before = await stat(rotten)
  const data = await readFile(rotten)
  data[data.length >> 1] = data[data.length >> 1]! ^ 0x40
  await writeFile(rotten, data)
  await utimes(rotten, before.atime, before.mtime)

  const damaged = await hearthCli(['verify'], { ...vars, HEARTH_API_KEY: key.token })
  assert.equal(damaged.code, 1, damaged.stderr)
  assert.match(damaged.stdout, /Checked 2 of 2 originals .*: 1 missing or damaged\. Restore it from another copy:/)
  assert.match(damaged.stdout, new RegExp(`damaged {2}${literal(rotten)}\\n +its content changed`))
  await hearth.stop()

  // Hearth stopped: the command opens the database itself.
  await unlink(gone)
  const offline = await hearthCli(['verify'], { HEARTH_DATA_DIR: box.dataDir })
  assert.equal(offline.code, 1, offline.stderr)
  assert.match(offline.stdout, /2 missing or damaged/)
  assert.match(offline.stdout, /damaged {2}.*\n +its content changed/)
  assert.match(offline.stdout, new RegExp(`missing {2}${literal(gone)}\\n +the file is not there`))
  assert.deepEqual(await readFile(rotten), data, 'the check wrote nothing')
})

/** `text` as a regular expression that matches it literally. */
const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
