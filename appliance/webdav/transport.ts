/**
 * When WebDAV may take a password over plain HTTP (HEARTH_WEBDAV_ALLOW_HTTP). Basic auth sends the
 * password in the clear, so over the internet it must ride on HTTPS. At home, Windows, Finder and
 * phone apps talk to the NAS by its LAN address over HTTP, and a self-signed certificate would make
 * Windows' WebClient refuse the drive outright; so by default (`lan`) plain HTTP is allowed from
 * loopback and private addresses only. A reverse proxy on the box (the NAS's own, or Caddy) is
 * trusted to say what the client used: X-Forwarded-Proto, and the client's address in
 * X-Forwarded-For, are believed only when the direct peer is loopback or private.
 */
import { isIP } from 'node:net'

export type HttpPolicy = 'lan' | 'always' | 'never'

/** Loopback, RFC 1918, CGNAT-free private, link-local and IPv6 unique-local addresses. */
export function isPrivateAddress (address: string): boolean {
  let a = address.trim().toLowerCase()
  if (a.startsWith('::ffff:') && isIP(a.slice(7)) === 4) a = a.slice(7)
  if (isIP(a) === 4) {
    const [x, y] = a.split('.').map(Number)
    return x === 127 || x === 10 || (x === 172 && y >= 16 && y <= 31) || (x === 192 && y === 168) || (x === 169 && y === 254)
  }
  if (isIP(a) === 6) return a === '::1' || /^f[cd][0-9a-f]{2}:/.test(a) || /^fe[89ab][0-9a-f]:/.test(a)
  return false
}

/** Whether a request may carry a password: `encrypted` is a TLS socket; headers are the proxy's. */
export function passwordAllowed (policy: HttpPolicy, { encrypted, peer, forwardedProto, forwardedFor }: {
  encrypted: boolean, peer: string, forwardedProto?: string, forwardedFor?: string
}): boolean {
  if (policy === 'always' || encrypted) return true
  const trustedPeer = isPrivateAddress(peer)
  const proto = trustedPeer ? forwardedProto?.split(',')[0].trim().toLowerCase() : undefined
  if (proto === 'https') return true
  if (policy === 'never') return false
  if (!trustedPeer) return false
  // Behind a proxy: the client's own address decides (the first in X-Forwarded-For).
  const client = forwardedFor?.split(',')[0].trim()
  return client === undefined || client === '' ? true : isPrivateAddress(client)
}
