/** Prometheus metrics: the process defaults, HTTP requests, and upload counters. */
import { Counter, Histogram, Registry, collectDefaultMetrics, Gauge } from 'prom-client'

export interface HttpMetrics {
  observe(method: string, route: string, status: number, seconds: number): void
}

export function createMetrics () {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'hearth_' })
  const requests = new Counter({ name: 'hearth_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['method', 'route', 'status'], registers: [registry] })
  const duration = new Histogram({ name: 'hearth_http_request_duration_seconds', help: 'HTTP request duration', labelNames: ['method', 'route'], buckets: [0.005, 0.02, 0.1, 0.5, 2, 10, 60], registers: [registry] })
  const uploadBytes = new Counter({ name: 'hearth_upload_bytes_total', help: 'Bytes of originals accepted', registers: [registry] })
  const uploads = new Counter({ name: 'hearth_uploads_total', help: 'Uploads by outcome', labelNames: ['outcome'], registers: [registry] })
  const uploadsInFlight = new Gauge({ name: 'hearth_uploads_in_flight', help: 'Uploads being received now', registers: [registry] })
  return {
    registry,
    uploadBytes,
    uploads,
    uploadsInFlight,
    observe (method: string, route: string, status: number, seconds: number) {
      requests.inc({ method, route, status: String(status) })
      duration.observe({ method, route }, seconds)
    },
  }
}

export type Metrics = ReturnType<typeof createMetrics>
