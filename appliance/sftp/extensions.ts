/**
 * OpenSSH's SFTP extensions that clients ask for: posix-rename@openssh.com (rename over an existing
 * file: `rename` in OpenSSH's sftp, rclone, ssh2-sftp-client's posixRename) and statvfs@openssh.com
 * (`df`). ssh2 hands extended requests to the server as 'EXTENDED' events, but its server neither
 * lists extensions in its VERSION packet (so clients never ask) nor has a call to send an extended
 * reply. Both are done here by writing the packets on ssh2's own channel, with its window
 * accounting; they touch ssh2 internals (version 1.x), so the test suite covers them end to end.
 */
import type { StatsFs } from 'node:fs'
import type { SFTPWrapper } from 'ssh2'

const EXTENSIONS: Array<[string, string]> = [['posix-rename@openssh.com', '1'], ['statvfs@openssh.com', '2']]
const SSH_FXP_VERSION = 2
const SSH_FXP_EXTENDED_REPLY = 201

interface Internals {
  outgoing: { id: number, state: string, window: number, packetSize: number }
  _buffer: Buffer[]
  _protocol: { channelData(id: number, data: Buffer): void, [versionHook]?: Map<number, Internals> }
}
const versionHook = Symbol('hearth.sftpVersionHook')

function versionPacket (): Buffer {
  const parts = [Buffer.from([SSH_FXP_VERSION, 0, 0, 0, 3])]
  for (const [name, data] of EXTENSIONS) {
    for (const s of [name, data]) {
      const len = Buffer.alloc(4)
      len.writeUInt32BE(Buffer.byteLength(s))
      parts.push(len, Buffer.from(s))
    }
  }
  const body = Buffer.concat(parts)
  const len = Buffer.alloc(4)
  len.writeUInt32BE(body.length)
  return Buffer.concat([len, body])
}
const VERSION = versionPacket()

/** Call right after accepting the SFTP channel, before the client's INIT: its VERSION reply lists the extensions. */
export function advertiseExtensions (sftp: SFTPWrapper) {
  const s = sftp as unknown as Internals
  const proto = s._protocol
  // One hook per connection, for its SFTP channels that have not sent their VERSION yet.
  let waiting = proto[versionHook]
  if (waiting === undefined) {
    const pending = new Map<number, Internals>()
    waiting = pending
    proto[versionHook] = pending
    const original = proto.channelData.bind(proto)
    proto.channelData = (id: number, data: Buffer) => {
      const channel = pending.get(id)
      // ssh2's own VERSION packet (length 5, type 2, version 3) is the first thing the channel sends.
      if (channel !== undefined && data.length === 9 && data[4] === SSH_FXP_VERSION) {
        pending.delete(id)
        channel.outgoing.window -= VERSION.length - data.length
        original(id, VERSION)
        return
      }
      original(id, data)
    }
  }
  const id = s.outgoing.id
  waiting.set(id, s)
  sftp.once('close', () => { if (waiting.get(id) === s) waiting.delete(id) })
}

/** Sends SSH_FXP_EXTENDED_REPLY; false when the peer's window is too full for it right now. */
export function sendExtendedReply (sftp: SFTPWrapper, reqid: number, data: Buffer): boolean {
  const s = sftp as unknown as Internals
  const pkt = Buffer.alloc(9 + data.length)
  pkt.writeUInt32BE(5 + data.length, 0)
  pkt[4] = SSH_FXP_EXTENDED_REPLY
  pkt.writeUInt32BE(reqid, 5)
  data.copy(pkt, 9)
  if (s.outgoing.state !== 'open' || s._buffer.length > 0 || s.outgoing.window < pkt.length || pkt.length > s.outgoing.packetSize) {
    // Rare (only while a large download has filled the window): the client is told to ask again.
    sftp.status(reqid, 4, 'Busy: try again')
    return false
  }
  s.outgoing.window -= pkt.length
  s._protocol.channelData(s.outgoing.id, pkt)
  return true
}

/** The `count` SFTP strings at the start of an extended request's data. */
export function readStrings (data: Buffer | undefined, count: number): string[] {
  const out: string[] = []
  let p = 0
  for (let i = 0; i < count; i++) {
    if (data === undefined || p + 4 > data.length) throw new Error('Malformed extended request')
    const len = data.readUInt32BE(p)
    if (p + 4 + len > data.length) throw new Error('Malformed extended request')
    out.push(data.toString('utf8', p + 4, p + 4 + len))
    p += 4 + len
  }
  return out
}

/** statvfs@openssh.com's reply: the disk's figures, capped by the user's quota when they have one. */
export function statvfsReply (fs: StatsFs, { readOnly, quota }: { readOnly: boolean, quota?: { size: number, used: number } }): Buffer {
  const bsize = fs.bsize
  let blocks = fs.blocks
  let bfree = fs.bfree
  let bavail = fs.bavail
  if (quota !== undefined) {
    blocks = Math.min(blocks, Math.floor(quota.size / bsize))
    const left = Math.max(0, Math.floor((quota.size - quota.used) / bsize))
    bfree = Math.min(bfree, left)
    bavail = Math.min(bavail, left)
  }
  const ST_RDONLY = 1
  const ST_NOSUID = 2
  const fields = [bsize, bsize, blocks, bfree, bavail, fs.files, fs.ffree, fs.ffree, 0, (readOnly ? ST_RDONLY : 0) | ST_NOSUID, 255]
  const buf = Buffer.alloc(fields.length * 8)
  fields.forEach((v, i) => buf.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(v))), i * 8))
  return buf
}
