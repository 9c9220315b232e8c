import { open, readFile, unlink } from 'node:fs/promises'
import { join } from 'node:path'

/** Thrown when another live process holds the embedded database. */
export class DatabaseLockedError extends Error {
  readonly pid: number
  constructor (pid: number, dir: string) {
    super(`The embedded database in ${dir} is in use by another Hearth process (pid ${pid}). Stop it first (or use the HTTP API while it runs).`)
    this.name = 'DatabaseLockedError'
    this.pid = pid
  }
}

/**
 * PGlite must only ever be opened by one process: a second one would corrupt it. This takes a
 * lock file holding our pid; a lock left by a process that is gone (kill -9) is taken over.
 */
export async function lockDataDir (dir: string): Promise<() => Promise<void>> {
  const path = join(dir, 'hearth.pid')
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(path, 'wx', 0o600)
      await fh.writeFile(String(process.pid))
      await fh.close()
      return async () => { await unlink(path).catch(() => {}) }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim())
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) throw new DatabaseLockedError(pid, dir)
      await unlink(path).catch(() => {})
    }
  }
  throw new Error(`Could not lock ${dir}`)
}

function isAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
