/** What repositories see of a database: parameterised queries, and transactions. */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>
}

export interface Database extends Queryable {
  readonly engine: 'pglite' | 'postgres'
  /**
   * Runs `fn` in one transaction; commits when it resolves, rolls back when it throws. On
   * PostgreSQL `fn` runs again when the server rolls it back to break a deadlock, so it must hold
   * database work only: write files before it, remove them after.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>
  /**
   * Writes a backup of the whole database to `file` while it stays in use (node/backups): on
   * PGlite a gzipped tar of its data folder, taken between transactions; on PostgreSQL pg_dump's
   * custom format.
   */
  backup(file: string): Promise<void>
  close(): Promise<void>
}
