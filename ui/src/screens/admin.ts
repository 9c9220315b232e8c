/**
 * Administration: users (add, remove, quota) with each one's storage use, libraries (a NAS folder
 * indexed in place, exclusions, scan and its progress) and jobs (every queue's counts; pause,
 * resume, run now, retry failed; for analysis queues Immich's "Missing" and "All", the latter after a
 * confirmation). `/admin/users`, `/admin/libraries`, `/admin/jobs`; machine learning (`/admin/ml`, its
 * own chunk: admin-ml.ts).
 */
import { LitElement, html, css, nothing } from 'lit'
import { base } from '../styles.ts'
import { t } from '../strings.ts'
import { api } from '../api.ts'
import { notify, notifyError } from '../notify.ts'
import { mlQueues, type RerunAll } from '../ml/rerun-all.ts'

interface AdminUser { id: string, email: string, name: string, isAdmin: boolean, quotaSizeInBytes: number | null, quotaUsageInBytes: number }
interface Storage { diskSizeRaw: number, diskUseRaw: number }
interface Library {
  id: string, name: string, ownerId: string, importPaths: string[], exclusionPatterns: string[], assetCount: number, refreshedAt: string | null, watchMode: string
  scan?: { status: 'idle' | 'queued' | 'scanning', progress: number | null, error: string | null }
}
interface QueueStatus { jobCounts: Record<'active' | 'completed' | 'failed' | 'delayed' | 'waiting' | 'paused', number>, queueStatus: { isActive: boolean, isPaused: boolean } }

const GiB = 1024 ** 3
export const formatBytes = (n: number): string => {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let v = n
  let i = 0
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++ }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`
}

/** appliance/integrity/checker.ts IntegrityReport. */
interface IntegrityReport { startedAt: string, finishedAt: string | null, checked: number, bytes: number, total: number, interrupted: boolean, problems: Array<{ kind: string, path: string, detail: string }> }

export class AdminScreen extends LitElement {
  static override properties = {
    params: { attribute: false }, query: { attribute: false }, users: { state: true }, storage: { state: true }, libraries: { state: true }, jobs: { state: true }, backups: { state: true }, backingUp: { state: true }, integrity: { state: true },
  }
  static override styles = [base, css`
    .page { display: grid; gap: 18px; }
    .tabs { display: flex; gap: 6px; flex-wrap: wrap; }
    .tabs a { padding: 6px 14px; border-radius: 999px; text-decoration: none; color: var(--h-text); border: 1px solid var(--h-border); }
    .tabs a[aria-current='page'] { background: var(--h-accent-soft); color: var(--h-accent); border-color: transparent; }
    section { padding: 18px; display: grid; gap: 12px; overflow-x: auto; }
    table { border-collapse: collapse; width: 100%; }
    th, td { text-align: left; padding: 8px 10px; border-bottom: 1px solid var(--h-border); vertical-align: middle; }
    th { font-weight: 600; font-size: .9rem; color: var(--h-text-2); }
    td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
    form { display: flex; gap: 10px; flex-wrap: wrap; align-items: end; }
    form label.check { display: flex; gap: 6px; align-items: center; }
    .bar { height: 8px; border-radius: 4px; background: var(--h-surface-3); overflow: hidden; min-width: 120px; }
    .bar span { display: block; height: 100%; background: var(--h-accent); }
    .row { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
    input.quota { width: 110px; }
    textarea { min-width: 280px; min-height: 70px; font-family: monospace; font-size: .85rem; }
    .paused { color: var(--h-danger); font-weight: 600; }
    /* On a phone a wide table scrolls on its own, so the forms below it wrap to the screen. */
    @media (max-width: 700px) { section { padding: 14px; } table { display: block; overflow-x: auto; } }
  `]

  params: Record<string, string> = {}
  query = new URLSearchParams()
  users: AdminUser[] = []
  storage: Storage | null = null
  libraries: Library[] = []
  jobs: Record<string, QueueStatus> = {}
  backups: Array<{ filename: string, filesize: number, createdAt: string }> = []
  backingUp = false
  /** The integrity check of originals (null where this server has no such module). */
  integrity: { running: boolean, current: IntegrityReport | null, last: IntegrityReport | null } | null = null
  private shown = ''
  private timer: number | undefined

  private get tab (): 'users' | 'libraries' | 'jobs' | 'ml' | 'family' {
    const rest = this.params.rest ?? ''
    return rest.startsWith('libraries') ? 'libraries' : rest.startsWith('jobs') ? 'jobs' : rest.startsWith('ml') ? 'ml' : rest.startsWith('family') ? 'family' : 'users'
  }

  override updated (): void {
    if (this.shown !== this.tab) { this.shown = this.tab; void this.load() }
  }
  override disconnectedCallback (): void { clearTimeout(this.timer); super.disconnectedCallback() }

  private async load (): Promise<void> {
    clearTimeout(this.timer)
    try {
      if (this.tab === 'users') {
        const [users, storage] = await Promise.all([api.get<AdminUser[]>('/api/admin/users'), api.get<Storage>('/api/server/storage')])
        this.users = users
        this.storage = storage
      } else if (this.tab === 'libraries') {
        const [list, users] = await Promise.all([api.get<Library[]>('/api/libraries'), api.get<AdminUser[]>('/api/admin/users')])
        this.users = users
        this.libraries = await Promise.all(list.map((l) => api.get<Library>(`/api/libraries/${l.id}`)))
        // Follow a scan's progress while one runs.
        if (this.libraries.some((l) => l.scan !== undefined && l.scan.status !== 'idle')) this.timer = window.setTimeout(() => { void this.load() }, 1500)
      } else if (this.tab === 'ml') {
        // Its own chunk, loaded when the tab is first opened.
        await import('./admin-ml.ts')
      } else if (this.tab === 'family') {
        await import('./admin-family.ts')
      } else {
        const [jobs, backups, integrity] = await Promise.all([api.get<Record<string, QueueStatus>>('/api/jobs'), api.get<{ backups: AdminScreen['backups'] }>('/api/admin/database-backups'),
          api.get<AdminScreen['integrity']>('/api/admin/integrity').catch(() => null)])
        this.jobs = jobs
        this.backups = backups.backups
        this.integrity = integrity
        this.timer = window.setTimeout(() => { void this.load() }, this.integrity?.running === true ? 1000 : 5000)
      }
    } catch (err) { notifyError(err) }
  }

  private async addUser (e: SubmitEvent): Promise<void> {
    e.preventDefault()
    const form = e.target as HTMLFormElement
    const d = new FormData(form)
    const quota = String(d.get('quota') ?? '').trim()
    try {
      const email = String(d.get('email')).trim()
      await api.post('/api/admin/users', {
        email, name: String(d.get('name')).trim(), password: String(d.get('password')), isAdmin: d.get('isAdmin') === 'on',
        quotaSizeInBytes: quota === '' ? null : Math.round(Number(quota) * GiB),
      })
      form.reset()
      notify(t.admin.userAdded(email))
      await this.load()
    } catch (err) { notifyError(err) }
  }
  private async setQuota (u: AdminUser, value: string): Promise<void> {
    try {
      await api.put(`/api/admin/users/${u.id}`, { quotaSizeInBytes: value.trim() === '' ? null : Math.round(Number(value) * GiB) })
      notify(t.admin.quotaSaved)
      await this.load()
    } catch (err) { notifyError(err) }
  }
  private async removeUser (u: AdminUser): Promise<void> {
    if (!confirm(t.admin.removeConfirm(u.email))) return
    try { await api.del(`/api/admin/users/${u.id}`); notify(t.admin.userRemoved); await this.load() } catch (err) { notifyError(err) }
  }
  private async addLibrary (e: SubmitEvent): Promise<void> {
    e.preventDefault()
    const form = e.target as HTMLFormElement
    const d = new FormData(form)
    const exclusions = String(d.get('exclusions') ?? '').split('\n').map((s) => s.trim()).filter((s) => s !== '')
    try {
      const lib = await api.post<Library>('/api/libraries', {
        ownerId: String(d.get('owner')), name: String(d.get('name') ?? '').trim() || undefined, importPaths: [String(d.get('path')).trim()],
        ...(exclusions.length > 0 && { exclusionPatterns: exclusions }),
      })
      await api.post(`/api/libraries/${lib.id}/scan`)
      form.reset()
      notify(t.admin.libraryAdded)
      await this.load()
    } catch (err) { notifyError(err) }
  }
  private async scan (id: string): Promise<void> {
    try { await api.post(`/api/libraries/${id}/scan`); notify(t.admin.scanning); await this.load() } catch (err) { notifyError(err) }
  }
  private async rerunAll (queue: string): Promise<void> {
    await (this.renderRoot.querySelector('hearth-rerun-all') as RerunAll).ask(queue)
  }
  private async command (queue: string, command: string, message: string): Promise<void> {
    try { await api.put(`/api/jobs/${queue}`, { command }); notify(message); await this.load() } catch (err) { notifyError(err) }
  }

  private usersTab () {
    const disk = this.storage
    return html`<section class="card" aria-labelledby="storage-h"><h2 id="storage-h">${t.admin.storage}</h2>
        ${disk !== null ? html`<div class="row"><div class="bar" style="flex:1" role="img" aria-label=${t.admin.diskUse(formatBytes(disk.diskUseRaw), formatBytes(disk.diskSizeRaw))}><span style="width:${Math.min(100, (disk.diskUseRaw / Math.max(1, disk.diskSizeRaw)) * 100)}%"></span></div>
          <span>${t.admin.diskUse(formatBytes(disk.diskUseRaw), formatBytes(disk.diskSizeRaw))}</span></div>` : nothing}
      </section>
      <section class="card" aria-labelledby="users-h"><h2 id="users-h">${t.admin.users}</h2>
        <table><thead><tr><th>${t.admin.name}</th><th>${t.admin.email}</th><th>${t.admin.storage}</th><th>${t.admin.quota}</th><th></th></tr></thead>
        <tbody>${this.users.map((u) => html`<tr>
          <td>${u.name}${u.isAdmin ? html` <span class="muted">(${t.admin.isAdmin})</span>` : nothing}</td><td>${u.email}</td>
          <td><div class="row">${u.quotaSizeInBytes !== null ? html`<div class="bar"><span style="width:${Math.min(100, (u.quotaUsageInBytes / Math.max(1, u.quotaSizeInBytes)) * 100)}%"></span></div>` : nothing}
            <span>${t.admin.used(formatBytes(u.quotaUsageInBytes), u.quotaSizeInBytes === null ? t.admin.unlimited : formatBytes(u.quotaSizeInBytes))}</span></div></td>
          <td><input class="quota" type="number" min="0" step="0.5" aria-label=${`${t.admin.quota}: ${u.email}`} .value=${u.quotaSizeInBytes === null ? '' : String(Math.round((u.quotaSizeInBytes / GiB) * 10) / 10)}
            @change=${(e: Event) => this.setQuota(u, (e.target as HTMLInputElement).value)}></td>
          <td>${u.isAdmin ? nothing : html`<button class="danger" @click=${() => this.removeUser(u)}>${t.admin.remove}</button>`}</td></tr>`)}</tbody></table>
        <form @submit=${this.addUser} aria-label=${t.admin.addUser}>
          <label>${t.admin.name}<input name="name" required></label><label>${t.admin.email}<input name="email" type="email" required></label>
          <label>${t.admin.password}<input name="password" type="password" autocomplete="new-password" required minlength="8"></label>
          <label>${t.admin.quota}<input name="quota" class="quota" type="number" min="0" step="0.5"></label>
          <label class="check"><input type="checkbox" name="isAdmin"> ${t.admin.isAdmin}</label>
          <button class="primary" type="submit">${t.admin.addUser}</button></form>
      </section>`
  }

  private librariesTab () {
    const owner = (id: string) => this.users.find((u) => u.id === id)?.name ?? ''
    return html`<section class="card" aria-labelledby="libs-h"><h2 id="libs-h">${t.admin.libraries}</h2>
      ${this.libraries.length === 0 ? html`<p class="muted">${t.admin.noLibraries}</p>` : html`<table><thead><tr><th>${t.admin.libraryName}</th><th>${t.admin.owner}</th><th>${t.admin.libraryPath}</th><th class="num">#</th><th></th></tr></thead>
        <tbody>${this.libraries.map((l) => html`<tr><td>${l.name}</td><td>${owner(l.ownerId)}</td><td><code>${l.importPaths.join(', ')}</code>
          ${l.exclusionPatterns.length > 0 ? html`<div class="muted" style="font-size:.8rem">${l.exclusionPatterns.join(' · ')}</div>` : nothing}</td>
          <td class="num">${l.assetCount.toLocaleString()}</td>
          <td><div class="row">${l.scan !== undefined && l.scan.status !== 'idle'
            ? html`<div class="bar" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow=${Math.round((l.scan.progress ?? 0) * 100)}><span style="width:${(l.scan.progress ?? 0) * 100}%"></span></div><span>${l.scan.status}</span>`
            : html`<button @click=${() => this.scan(l.id)}>${t.admin.scan}</button>`}
            ${l.scan?.error !== null && l.scan?.error !== undefined ? html`<span class="error">${l.scan.error}</span>` : nothing}</div></td></tr>`)}</tbody></table>`}
      <form @submit=${this.addLibrary} aria-label=${t.admin.addLibrary}>
        <label>${t.admin.libraryName}<input name="name"></label>
        <label>${t.admin.libraryPath}<input name="path" required placeholder="/volume1/photo"></label>
        <label>${t.admin.owner}<select name="owner" required>${this.users.map((u) => html`<option value=${u.id}>${u.name}</option>`)}</select></label>
        <label>${t.admin.exclusions}<textarea name="exclusions" placeholder="**/@eaDir/**"></textarea></label>
        <button class="primary" type="submit">${t.admin.addLibrary}</button></form>
    </section>`
  }

  private async backUp (): Promise<void> {
    this.backingUp = true
    try {
      const made = await api.post<{ filename: string }>('/api/admin/database-backups')
      notify(t.admin.backedUp(made.filename))
      await this.load()
    } catch (err) { notifyError(err) } finally { this.backingUp = false }
  }

  private backupsSection () {
    return html`<section class="card" aria-labelledby="backups-h"><div class="row"><h2 id="backups-h" style="flex:1">${t.admin.backups}</h2>
        <button ?disabled=${this.backingUp} @click=${() => this.backUp()}>${this.backingUp ? t.admin.backingUp : t.admin.backupNow}</button></div>
      <p class="muted" style="margin:0">${t.admin.backupsHint}</p>
      ${this.backups.length === 0 ? html`<p class="muted">${t.admin.noBackups}</p>` : html`<table data-testid="backups"><thead><tr><th>${t.admin.backupFile}</th><th>${t.admin.backupTaken}</th><th class="num">${t.admin.backupSize}</th><th></th></tr></thead>
        <tbody>${this.backups.map((b) => html`<tr><td>${b.filename}</td><td>${new Date(b.createdAt).toLocaleString()}</td><td class="num">${formatBytes(b.filesize)}</td>
          <td><a href=${`/api/admin/database-backups/${encodeURIComponent(b.filename)}`} download=${b.filename}>${t.admin.download}</a></td></tr>`)}</tbody></table>`}
    </section>`
  }

  private async checkNow (): Promise<void> {
    try { await api.post('/api/admin/integrity'); notify(t.admin.integrityStarted); await this.load() } catch (err) { notifyError(err) }
  }

  private integritySection () {
    const s = this.integrity
    if (s === null) return nothing
    const last = s.last
    return html`<section class="card" aria-labelledby="integrity-h"><div class="row"><h2 id="integrity-h" style="flex:1">${t.admin.integrity}</h2>
        <button ?disabled=${s.running} @click=${() => this.checkNow()}>${t.admin.checkNow}</button></div>
      <p class="muted" style="margin:0">${t.admin.integrityHint}</p>
      ${s.running && s.current !== null ? html`<p role="status">${t.admin.integrityRunning(s.current.checked, s.current.total)}</p>` : nothing}
      ${last === null ? html`<p class="muted">${t.admin.integrityNever}</p>` : html`
        <p data-testid="integrity-last">${t.admin.integrityLast(new Date(last.finishedAt ?? last.startedAt).toLocaleString(), last.checked, formatBytes(last.bytes))}
          ${last.problems.length === 0 ? t.admin.integrityFine : t.admin.integrityProblems(last.problems.length)} ${last.interrupted ? t.admin.integrityInterrupted : ''}</p>
        ${last.problems.length === 0 ? nothing : html`<table data-testid="integrity-problems"><tbody>${last.problems.map((p) => html`<tr><td>${t.admin.integrityKind(p.kind)}</td><td>${p.path}</td><td class="muted">${p.detail}</td></tr>`)}</tbody></table>`}`}
    </section>`
  }

  private jobsTab () {
    return html`<section class="card" aria-labelledby="jobs-h"><div class="row"><h2 id="jobs-h" style="flex:1">${t.admin.jobs}</h2><button @click=${() => this.load()}>${t.admin.refresh}</button></div>
      <p class="muted" style="margin:0">${t.admin.mlHint}</p>
      <table data-testid="jobs"><thead><tr><th>${t.admin.queue}</th><th class="num">${t.admin.active}</th><th class="num">${t.admin.waiting}</th><th class="num">${t.admin.failed}</th><th class="num">${t.admin.completed}</th><th></th></tr></thead>
      <tbody>${Object.entries(this.jobs).map(([q, s]) => html`<tr><td>${q}${s.queueStatus.isPaused ? html` <span class="paused">· ${t.admin.paused}</span>` : nothing}</td>
        <td class="num">${s.jobCounts.active}</td><td class="num">${s.jobCounts.waiting + s.jobCounts.paused + s.jobCounts.delayed}</td><td class="num">${s.jobCounts.failed}</td><td class="num">${s.jobCounts.completed}</td>
        <td><div class="row">
          ${s.queueStatus.isPaused ? html`<button @click=${() => this.command(q, 'resume', t.admin.jobResumed)}>${t.admin.resume}</button>`
            : html`<button @click=${() => this.command(q, 'pause', t.admin.jobPaused)}>${t.admin.pause}</button>`}
          ${mlQueues.has(q)
            ? html`<button title=${t.admin.missingTitle} @click=${() => this.command(q, 'start', t.admin.missingQueued)}>${t.admin.missing}</button>
              <button title=${t.admin.allTitle} @click=${() => this.rerunAll(q)}>${t.admin.all}</button>`
            : html`<button @click=${() => this.command(q, 'start', t.admin.jobStarted)}>${t.admin.runNow}</button>`}
          ${s.jobCounts.failed > 0 ? html`<button @click=${() => this.command(q, 'retry-failed', t.admin.jobStarted)}>${t.admin.retryFailed}</button>` : nothing}
        </div></td></tr>`)}</tbody></table>
      <hearth-rerun-all mlLink @done=${() => this.load()}></hearth-rerun-all></section>
      ${this.backupsSection()}${this.integritySection()}`
  }

  override render () {
    const tab = this.tab
    return html`<div class="page"><h1>${t.admin.title}</h1>
      <nav class="tabs" aria-label=${t.admin.title}>
        <a href="/admin/users" aria-current=${tab === 'users' ? 'page' : 'false'}>${t.admin.users}</a>
        <a href="/admin/libraries" aria-current=${tab === 'libraries' ? 'page' : 'false'}>${t.admin.libraries}</a>
        <a href="/admin/jobs" aria-current=${tab === 'jobs' ? 'page' : 'false'}>${t.admin.jobs}</a>
        <a href="/admin/ml" aria-current=${tab === 'ml' ? 'page' : 'false'}>${t.ml.tab}</a>
        <a href="/admin/family" aria-current=${tab === 'family' ? 'page' : 'false'}>${t.family.tab}</a></nav>
      ${tab === 'users' ? this.usersTab() : tab === 'libraries' ? this.librariesTab() : tab === 'ml' ? html`<hearth-admin-ml></hearth-admin-ml>`
        : tab === 'family' ? html`<hearth-admin-family></hearth-admin-family>` : this.jobsTab()}
    </div>`
  }
}
customElements.define('hearth-admin', AdminScreen)
