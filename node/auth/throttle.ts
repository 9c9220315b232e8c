/**
 * Login throttling: after `maxFailures` wrong passwords for one email, or from one address, further
 * attempts are refused for `lockoutSeconds`, doubling with each further lockout (capped at a day).
 * Kept in memory: a restart forgives, which is acceptable for a household appliance.
 */
export interface LoginThrottle {
  /** Seconds until `keys` may try again, or 0. */
  retryAfter(keys: string[]): number
  fail(keys: string[]): void
  succeed(keys: string[]): void
}

interface Entry { failures: number, lockouts: number, lockedUntil: number, lastSeen: number }

export function createLoginThrottle ({ maxFailures, lockoutSeconds, now = Date.now }: {
  maxFailures: number, lockoutSeconds: number, now?: () => number
}): LoginThrottle {
  const entries = new Map<string, Entry>()
  const prune = () => {
    if (entries.size < 10_000) return
    const cutoff = now() - 86_400_000
    for (const [k, e] of entries) if (e.lastSeen < cutoff && e.lockedUntil < now()) entries.delete(k)
  }
  return {
    retryAfter (keys) {
      let wait = 0
      for (const k of keys) {
        const e = entries.get(k)
        if (e !== undefined && e.lockedUntil > now()) wait = Math.max(wait, (e.lockedUntil - now()) / 1000)
      }
      return wait
    },
    fail (keys) {
      prune()
      for (const k of keys) {
        const e = entries.get(k) ?? { failures: 0, lockouts: 0, lockedUntil: 0, lastSeen: 0 }
        e.failures++
        e.lastSeen = now()
        if (e.failures >= maxFailures) {
          const seconds = Math.min(86_400, lockoutSeconds * 2 ** e.lockouts)
          e.lockedUntil = now() + seconds * 1000
          e.lockouts++
          e.failures = 0
        }
        entries.set(k, e)
      }
    },
    succeed (keys) {
      for (const k of keys) entries.delete(k)
    },
  }
}
