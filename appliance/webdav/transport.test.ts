import { test } from 'node:test'
import assert from 'node:assert/strict'
import { isPrivateAddress, passwordAllowed } from './transport.ts'

test('private and public addresses', () => {
  for (const a of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.20', '::1', '::ffff:192.168.0.5', 'fd12:3456::1', 'fe80::1']) assert.equal(isPrivateAddress(a), true, a)
  for (const a of ['8.8.8.8', '172.32.0.1', '203.0.113.5', '::ffff:8.8.8.8', '2001:db8::1', 'not-an-ip']) assert.equal(isPrivateAddress(a), false, a)
})

test('lan: plain HTTP from the LAN, HTTPS from anywhere, a trusted proxy speaks for its clients', () => {
  assert.equal(passwordAllowed('lan', { encrypted: false, peer: '192.168.1.20' }), true)
  assert.equal(passwordAllowed('lan', { encrypted: false, peer: '8.8.8.8' }), false)
  assert.equal(passwordAllowed('lan', { encrypted: true, peer: '8.8.8.8' }), true)
  assert.equal(passwordAllowed('lan', { encrypted: false, peer: '127.0.0.1', forwardedProto: 'https', forwardedFor: '8.8.8.8' }), true)
  assert.equal(passwordAllowed('lan', { encrypted: false, peer: '127.0.0.1', forwardedProto: 'http', forwardedFor: '8.8.8.8' }), false)
  assert.equal(passwordAllowed('lan', { encrypted: false, peer: '127.0.0.1', forwardedProto: 'http', forwardedFor: '192.168.1.9, 127.0.0.1' }), true)
  // A header from the internet is not believed.
  assert.equal(passwordAllowed('lan', { encrypted: false, peer: '8.8.8.8', forwardedProto: 'https' }), false)
})

test('never and always', () => {
  assert.equal(passwordAllowed('never', { encrypted: false, peer: '192.168.1.20' }), false)
  assert.equal(passwordAllowed('never', { encrypted: false, peer: '127.0.0.1', forwardedProto: 'https' }), true)
  assert.equal(passwordAllowed('always', { encrypted: false, peer: '8.8.8.8' }), true)
})
