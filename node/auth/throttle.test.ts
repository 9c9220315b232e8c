import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createLoginThrottle } from './throttle.ts'

test('locks after maxFailures, doubles the lockout, and forgives on success', () => {
  let now = 1_000_000
  const t = createLoginThrottle({ maxFailures: 3, lockoutSeconds: 10, now: () => now })
  const k = ['account:a']
  t.fail(k); t.fail(k)
  assert.equal(t.retryAfter(k), 0)
  t.fail(k)
  assert.equal(t.retryAfter(k), 10)
  now += 10_001
  assert.equal(t.retryAfter(k), 0)
  t.fail(k); t.fail(k); t.fail(k)
  assert.equal(t.retryAfter(k), 20, 'second lockout is twice as long')
  t.succeed(k)
  assert.equal(t.retryAfter(k), 0)
  assert.equal(t.retryAfter(['account:other']), 0, 'other accounts are unaffected')
})
