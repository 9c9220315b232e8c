import { test } from 'node:test'
import assert from 'node:assert/strict'
import { newSecret } from './tokens.ts'

test('secrets are 43 base64url characters, all different, and none starts with "-" (it would read as a command-line option)', () => {
  const secrets = Array.from({ length: 20_000 }, newSecret)
  assert.ok(secrets.every((s) => /^[A-Za-z0-9_][A-Za-z0-9_-]{42}$/.test(s)), secrets.find((s) => !/^[A-Za-z0-9_][A-Za-z0-9_-]{42}$/.test(s)))
  assert.equal(new Set(secrets).size, secrets.length)
})
