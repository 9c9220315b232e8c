/**
 * Password hashing with Argon2id (memory-hard), the one place that imports the KDF.
 * Parameters follow OWASP's 2023 minimum for Argon2id (19 MiB, 2 passes, 1 lane).
 */
import { hash, verify, type Algorithm } from '@node-rs/argon2'

// Algorithm is a const enum, which type stripping cannot read: 2 is Argon2id.
const ARGON2ID = 2 as Algorithm

const options = { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 }

export async function hashPassword (password: string): Promise<string> {
  return hash(password, options)
}

export async function verifyPassword (stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password)
  } catch {
    return false
  }
}

// A real hash of a random password: logins for unknown emails verify against it, so they take as
// long as logins for known ones and the timing does not tell which emails exist.
let decoy: Promise<string> | undefined
export function decoyHash (): Promise<string> {
  decoy ??= hashPassword(`decoy-${Math.random()}-${Date.now()}`)
  return decoy
}
