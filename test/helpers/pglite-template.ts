/**
 * A migrated, empty PGlite database, made once for each set of migrations and copied into a test
 * node's data folder before it opens. Opening PGlite from nothing (its initdb, then every migration)
 * costs 4–6 s a node on two cores, and the suite starts a hundred and more of them; a copy costs
 * tens of milliseconds. The template is keyed by the migrations' text and PGlite's version, so a
 * changed migration makes a new one; it is built in a folder of its own and renamed into place,
 * so test processes running side by side never see half of one. test/api/migrations.test.ts still
 * migrates from nothing, on both engines. HEARTH_TEST_PGLITE_TEMPLATE=0 turns this off.
 */
import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { cp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join, resolve } from 'node:path'
import { openDatabase } from '../../node/db/index.ts'

const READY = '.hearth-template-ready'
const repoRoot = resolve(import.meta.dirname, '../..')
let template: Promise<string | undefined> | undefined

async function build (): Promise<string | undefined> {
  if (process.env.HEARTH_TEST_PGLITE_TEMPLATE === '0') return undefined
  const migrations = join(repoRoot, 'node/db/migrations')
  const hash = createHash('sha256')
  for (const f of (await readdir(migrations)).sort()) hash.update(f).update(await readFile(join(migrations, f)))
  hash.update(JSON.parse(await readFile(join(repoRoot, 'node_modules/@electric-sql/pglite/package.json'), 'utf8')).version as string)
  const final = join(tmpdir(), `hearth-pglite-template-${hash.digest('hex').slice(0, 16)}`)
  if (existsSync(join(final, READY))) return final
  const building = `${final}.${process.pid}.${randomBytes(4).toString('hex')}`
  const db = await openDatabase({ dataDir: building })
  await db.close()
  await writeFile(join(building, READY), '')
  try {
    await rename(building, final)
  } catch {
    // Another test process put its own in place first: the same database.
    await rm(building, { recursive: true, force: true })
  }
  return existsSync(join(final, READY)) ? final : undefined
}

/** Copies the template into `dbDir` (a node's `<data>/db`) unless a database is there already. */
export async function seedPglite (dbDir: string): Promise<void> {
  if (existsSync(dbDir)) return
  template ??= build()
  const from = await template
  if (from === undefined) return
  // Not the lock of the process that built it, nor the marker.
  await cp(from, dbDir, { recursive: true, filter: (src) => ![READY, 'hearth.pid'].includes(basename(src)) })
}
