/**
 * The node's libp2p host: TCP, Noise, Yamux and identify, its identity from identity.ts, and a
 * connection gater that lets in only paired relatives' nodes. An unpaired node is refused once its
 * identity is proven (Noise) and before any stream opens, except while an invite this node handed
 * out is open, and then only the pairing protocol will answer it (pairing/protocol.ts).
 *
 * @example
 * const host = await createHost({ privateKey, host: '0.0.0.0', port: 4001, admits: (peerId) => paired.has(peerId) })
 * host.addresses()   // ['/ip4/192.168.1.20/tcp/4001/p2p/12D3Koo…']
 */
import { createLibp2p, type Libp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import type { PrivateKey } from '@libp2p/interface'
import { isIPv6 } from 'node:net'

export interface HostOptions {
  privateKey: PrivateKey
  /** The address to listen on (HEARTH_HOST); a host name listens on every IPv4 address. */
  host: string
  port: number
  /** Whether a node may connect in (a peer id as a string): paired, or an invite is open. */
  admits: (peerId: string) => Promise<boolean>
}

export async function createHost ({ privateKey, host, port, admits }: HostOptions): Promise<Libp2p & { addresses(): string[] }> {
  const listen = isIPv6(host) ? `/ip6/${host}/tcp/${port}` : /^\d+\.\d+\.\d+\.\d+$/.test(host) ? `/ip4/${host}/tcp/${port}` : `/ip4/0.0.0.0/tcp/${port}`
  const node = await createLibp2p({
    privateKey,
    addresses: { listen: [listen] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify() },
    connectionGater: {
      // Relatives' NAS boxes are on home networks: private addresses are the usual case.
      denyDialMultiaddr: () => false,
      denyInboundEncryptedConnection: async (peerId) => !await admits(peerId.toString()),
    },
  })
  return Object.assign(node, {
    /** Where relatives' nodes can reach this one: loopback only when there is nothing else. */
    addresses (): string[] {
      const all = node.getMultiaddrs().map((m) => m.toString())
      const outside = all.filter((a) => !/^\/ip4\/127\.|^\/ip6\/::1\//.test(a))
      return outside.length > 0 ? outside : all
    },
  })
}

export type Host = Awaited<ReturnType<typeof createHost>>
