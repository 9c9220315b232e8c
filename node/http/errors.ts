/**
 * Named errors, one class per failure. Services throw these; `errorMiddleware` is the one place
 * that maps them to HTTP. Anything else is a 500 whose message never reaches the client.
 */
export class HttpError extends Error {
  readonly status: number
  readonly code: string
  readonly headers: Record<string, string>
  constructor (status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message)
    this.name = new.target.name
    this.status = status
    this.code = code
    this.headers = headers
  }
}

/** Thrown when a request is malformed or fails validation. */
export class BadRequestError extends HttpError {
  constructor (message: string) { super(400, 'Bad Request', message) }
}

/** Thrown when no valid credentials came with a request that needs them. */
export class UnauthorizedError extends HttpError {
  constructor (message = 'Authentication required: log in, or send an API key in the x-api-key header') {
    super(401, 'Unauthorized', message)
  }
}

/** Thrown when the caller is known but may not do this (not an admin, or an API key lacking a permission). */
export class ForbiddenError extends HttpError {
  constructor (message: string) { super(403, 'Forbidden', message) }
}

/** Thrown when a thing does not exist, or belongs to someone else (the two look the same on purpose). */
export class NotFoundError extends HttpError {
  constructor (what = 'Resource') { super(404, 'Not Found', `${what} not found`) }
}

/** Thrown when the request conflicts with the current state (an email already in use). */
export class ConflictError extends HttpError {
  constructor (message: string) { super(409, 'Conflict', message) }
}

/** Thrown when a request body is larger than this endpoint accepts. */
export class PayloadTooLargeError extends HttpError {
  // The rest of the body is not read: the connection cannot carry another request after it.
  constructor (message: string) { super(413, 'Payload Too Large', message, { connection: 'close' }) }
}

/** Thrown when a client must slow down (login throttling). */
export class TooManyRequestsError extends HttpError {
  constructor (message: string, retryAfterSeconds: number) {
    super(429, 'Too Many Requests', message, { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) })
  }
}

/** Thrown when a quota or the disk cannot hold an upload. */
export class InsufficientStorageError extends HttpError {
  constructor (message: string) { super(507, 'Insufficient Storage', message) }
}

/** Thrown when the server is shutting down and takes no new work. */
export class ServiceUnavailableError extends HttpError {
  constructor (message: string) { super(503, 'Service Unavailable', message, { 'retry-after': '10' }) }
}
