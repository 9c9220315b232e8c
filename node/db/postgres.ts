import { spawn } from 'node:child_process'
import { chmod } from 'node:fs/promises'
import pg from 'pg'
import type { Database, Queryable } from './types.ts'

// int8 as number, the same as the PGlite adapter (sizes and counts stay far below 2^53).
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v))

/**
 * PostgreSQL's answer when two transactions wait on each other (40P01, deadlock_detected) or a
 * snapshot cannot be kept (40001): one of them is rolled back and may simply run again, which
 * PostgreSQL's manual asks applications to do. Two writers of the same photos in a different
 * order (a bulk date change and the duplicate finder, say) meet this now and then.
 */
const RETRYABLE = new Set(['40P01', '40001'])
const ATTEMPTS = 4

/** Runs `work` again, after a short random wait, while PostgreSQL rolls it back as a deadlock victim. */
export async function retryOnConflict<T> (work: () => Promise<T>, attempts = ATTEMPTS): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work()
    } catch (err) {
      if (attempt >= attempts || !RETRYABLE.has((err as { code?: string }).code ?? '')) throw err
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * attempt))
    }
  }
}

/** The server engine: PostgreSQL 15+ with pgvector, reached through a pool. */
export async function openPostgres (url: string, { max = 10 }: { max?: number } = {}): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max })
  // An idle client that loses its server must not crash the process; the next query reports it.
  pool.on('error', () => {})
  // Fail early with a clear message when the server is unreachable.
  const client = await pool.connect().catch((err: Error) => {
    throw new Error(`Cannot connect to the PostgreSQL server in DATABASE_URL: ${err.message}`)
  })
  client.release()
  const wrap = (c: pg.Pool | pg.PoolClient): Queryable => ({
    async query<T> (sql: string, params: readonly unknown[] = []) {
      const result = await c.query(sql, params as unknown[])
      return result.rows as T[]
    },
  })
  const self = wrap(pool)
  return {
    engine: 'postgres',
    // A statement on its own is its own transaction: rolled back whole, it can run again.
    query: async (sql, params) => retryOnConflict(() => self.query(sql, params)),
    // The whole transaction runs again: `fn` holds database work only (files are written before or
    // removed after it), so a second run does what the first would have.
    transaction: async (fn) => retryOnConflict(async () => {
      const c = await pool.connect()
      try {
        await c.query('BEGIN')
        const result = await fn(wrap(c))
        await c.query('COMMIT')
        return result
      } catch (err) {
        await c.query('ROLLBACK').catch(() => {})
        throw err
      } finally {
        c.release()
      }
    }),
    backup: async (file) => { await pgDump(url, file) },
    close: async () => { await pool.end() },
  }
}

/** pg_dump's custom format (compressed; pg_restore reads it) of the database at `url`. */
async function pgDump (url: string, file: string): Promise<void> {
  await runPgTool('pg_dump', ['--format=custom', '--no-owner', '--no-privileges', `--file=${file}`], url)
  await chmod(file, 0o600)
}

/**
 * Drops what Hearth's migrations made in `public` (tables, views, sequences, functions, types;
 * not the extensions' own objects). Run before a dump of an older version is restored: objects a
 * later migration added (a table referencing `users`, say) are not in that dump, so pg_restore's
 * --clean would not drop them, and they would block dropping what the dump does hold.
 */
const DROP_SCHEMA_OBJECTS = `DO $$
DECLARE o record;
BEGIN
  FOR o IN SELECT c.relname AS name, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format(CASE o.relkind WHEN 'v' THEN 'DROP VIEW IF EXISTS public.%I CASCADE' WHEN 'm' THEN 'DROP MATERIALIZED VIEW IF EXISTS public.%I CASCADE'
      WHEN 'S' THEN 'DROP SEQUENCE IF EXISTS public.%I CASCADE' ELSE 'DROP TABLE IF EXISTS public.%I CASCADE' END, o.name);
  END LOOP;
  FOR o IN SELECT p.oid::regprocedure AS sig FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = 'public' AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('DROP ROUTINE IF EXISTS %s CASCADE', o.sig);
  END LOOP;
  FOR o IN SELECT t.typname AS name FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd', 'c') AND (t.typtype <> 'c' OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('DROP TYPE IF EXISTS public.%I CASCADE', o.name);
  END LOOP;
END $$;
`

/**
 * Puts a pg_dump custom-format backup back into the database at `url`, replacing what is there,
 * all or nothing: one transaction drops Hearth's objects (also those of migrations newer than the
 * backup) and runs pg_restore's script, and commits only once pg_restore has written all of it
 * without error. Anything else (pg_restore or psql failing, a statement failing) rolls it back.
 */
export async function restoreReplacing (url: string, file: string): Promise<void> {
  const { u, env } = toolTarget(url)
  const psql = spawnTool('psql', ['--no-psqlrc', '--quiet', '-v', 'ON_ERROR_STOP=1', '--dbname', u.toString()], env, 'pipe')
  const restore = spawnTool('pg_restore', ['--clean', '--if-exists', '--no-owner', '--no-privileges', '--file=-', file], env, 'ignore', 'pipe')
  // psql stopping at an error closes its input: pg_restore is stopped too rather than left
  // blocked on a full pipe, and the broken pipe is not an error of its own.
  psql.child.stdin!.on('error', () => {})
  psql.done.catch(() => { restore.child.kill() })
  psql.child.stdin!.write(`BEGIN;\n${DROP_SCHEMA_OBJECTS}\n`)
  restore.child.stdout!.pipe(psql.child.stdin!, { end: false })
  try {
    await restore.done
  } catch (err) {
    // Without COMMIT, psql's end closes the connection and the server rolls the transaction back.
    // When psql stopped first (a statement failed), its error is the one that says why.
    psql.child.stdin!.end()
    const psqlError = await psql.done.then(() => undefined, (e: unknown) => e)
    throw psqlError ?? err
  }
  psql.child.stdin!.end('\nCOMMIT;\n')
  await psql.done
}

/**
 * Runs one of PostgreSQL's client tools (pg_dump, pg_restore) against the database at `url`. The
 * password goes to it in its environment, never on its command line (where `ps` would show it).
 * Rejects with the tool's last lines of error output, or with what to install when it is missing.
 */
export async function runPgTool (tool: 'pg_dump' | 'pg_restore', args: string[], url: string): Promise<void> {
  const { u, env } = toolTarget(url)
  await spawnTool(tool, [...args, `--dbname=${u.toString()}`], env).done
}

/** The URL without its password, and the environment that gives the password to the tool. */
function toolTarget (url: string): { u: URL, env: NodeJS.ProcessEnv } {
  const u = new URL(url)
  const password = decodeURIComponent(u.password)
  u.password = ''
  return { u, env: { ...process.env, ...(password !== '' ? { PGPASSWORD: password } : {}) } }
}

function spawnTool (tool: string, args: string[], env: NodeJS.ProcessEnv, stdin: 'ignore' | 'pipe' = 'ignore', stdout: 'ignore' | 'pipe' = 'ignore') {
  const child = spawn(tool, args, { env, stdio: [stdin, stdout, 'pipe'] })
  let stderr = ''
  child.stderr!.on('data', (b: Buffer) => { stderr += b.toString() })
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', (err: NodeJS.ErrnoException) => reject(err.code === 'ENOENT'
      ? new Error(`${tool} was not found: install PostgreSQL's client tools, of the server's version or newer (Debian: postgresql-client)`)
      : err))
    child.on('close', (code) => code === 0 ? resolve() : reject(new Error(`${tool} failed (exit ${code}): ${stderr.trim().split('\n').slice(-3).join(' ')}`)))
  })
  done.catch(() => {})
  return { child, done }
}
