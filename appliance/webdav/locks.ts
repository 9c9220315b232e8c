/**
 * WebDAV locks (class 2), kept in memory: a restart forgets them, which clients handle (they lock
 * again). Paths are the tree's decoded paths such as `/Uploads/a/b.jpg`; a collection lock of depth
 * infinity covers everything below it. Also the `If:` header (RFC 4918 §10.4).
 */
import { randomUUID } from 'node:crypto'

export interface Lock {
  token: string
  path: string
  userId: string
  scope: 'exclusive' | 'shared'
  depth: '0' | 'infinity'
  owner: string
  timeoutSeconds: number
  expires: number
}

const within = (path: string, ancestor: string) => path === ancestor || path.startsWith(ancestor.endsWith('/') ? ancestor : ancestor + '/')

/**
 * `onExpire` runs soon after a lock times out without an UNLOCK (one timer, set for the earliest
 * expiry), so an upload that waited for its lock becomes an asset then, not at the next sweep.
 */
export function createLockManager ({ onExpire }: { onExpire?: () => void } = {}) {
  const locks = new Map<string, Lock>()
  let timer: NodeJS.Timeout | undefined
  let timerAt = Infinity
  const live = () => {
    const now = Date.now()
    for (const [t, l] of locks) if (l.expires <= now) locks.delete(t)
    return [...locks.values()]
  }
  const schedule = () => {
    if (onExpire === undefined) return
    let next = Infinity
    for (const l of locks.values()) next = Math.min(next, l.expires)
    if (next === timerAt) return
    clearTimeout(timer)
    timer = undefined
    timerAt = next
    if (next === Infinity) return
    // Node's timers take at most 2^31-1 ms; a longer lock is looked at again then.
    timer = setTimeout(() => {
      timer = undefined
      timerAt = Infinity
      live()
      schedule()
      onExpire()
    }, Math.min(Math.max(0, next - Date.now()) + 50, 2 ** 31 - 1)).unref()
  }
  return {
    /** Locks that apply to `path`: on it, or depth-infinity on an ancestor; with `descendants`, also locks below it. */
    covering (path: string, descendants = false): Lock[] {
      return live().filter((l) => l.path === path || (l.depth === 'infinity' && within(path, l.path)) || (descendants && within(l.path, path)))
    },
    get: (token: string) => live().find((l) => l.token === token),
    create (l: Omit<Lock, 'token' | 'expires'>): Lock {
      const lock = { ...l, token: `urn:uuid:${randomUUID()}`, expires: Date.now() + l.timeoutSeconds * 1000 }
      locks.set(lock.token, lock)
      schedule()
      return lock
    },
    refresh (lock: Lock, timeoutSeconds: number) { lock.timeoutSeconds = timeoutSeconds; lock.expires = Date.now() + timeoutSeconds * 1000; schedule() },
    remove (token: string) { const removed = locks.delete(token); schedule(); return removed },
    /** After MOVE or DELETE: locks on the old path or below it go. */
    removeUnder (path: string) { for (const l of live()) if (within(l.path, path)) locks.delete(l.token); schedule() },
    /** Stops the expiry timer (the node is stopping). */
    close () { clearTimeout(timer); timer = undefined; timerAt = Infinity },
  }
}
export type LockManager = ReturnType<typeof createLockManager>

export interface IfCondition { not: boolean, token?: string, etag?: string }
export interface IfList { resource?: string, conditions: IfCondition[] }

/** Parses an If header into lists; undefined when it is malformed. */
export function parseIfHeader (header: string): IfList[] | undefined {
  const lists: IfList[] = []
  let resource: string | undefined
  let i = 0
  const s = header
  while (i < s.length) {
    const c = s[i]
    if (/\s/.test(c)) { i++; continue }
    if (c === '<') {
      const e = s.indexOf('>', i)
      if (e < 0) return undefined
      resource = s.slice(i + 1, e); i = e + 1; continue
    }
    if (c !== '(') return undefined
    i++
    const conditions: IfCondition[] = []
    for (;;) {
      while (/\s/.test(s[i] ?? '')) i++
      if (i >= s.length) return undefined
      if (s[i] === ')') { i++; break }
      let not = false
      if (s.startsWith('Not', i)) { not = true; i += 3; while (/\s/.test(s[i] ?? '')) i++ }
      if (s[i] === '<') {
        const e = s.indexOf('>', i)
        if (e < 0) return undefined
        conditions.push({ not, token: s.slice(i + 1, e) }); i = e + 1
      } else if (s[i] === '[') {
        const e = s.indexOf(']', i)
        if (e < 0) return undefined
        conditions.push({ not, etag: s.slice(i + 1, e) }); i = e + 1
      } else return undefined
    }
    if (conditions.length === 0) return undefined
    lists.push({ resource, conditions })
  }
  return lists.length > 0 ? lists : undefined
}

/** Every lock token named in the header (the tokens the client "submits"). */
export const submittedTokens = (lists: IfList[] | undefined): Set<string> =>
  new Set((lists ?? []).flatMap((l) => l.conditions.filter((c) => c.token !== undefined && !c.not).map((c) => c.token!)))
