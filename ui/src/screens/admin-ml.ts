/**
 * Administration › Machine learning (`/admin/ml`, loaded only when opened): the overnight window
 * for the ML backlog (start, end, on or off), "run the backlog now", pause and resume; each model
 * pack's state with the `hearth models fetch <pack>` command that installs it; each stage's
 * progress; and how many faces and CLIP vectors each model made, with a notice and "analyse all
 * again" when a kind is split across models (after a switch from the lite pack to a remote
 * buffalo_l, say: vectors of different models are never compared). Queue counts stay on the Jobs page.
 */
import { LitElement, html, css, nothing } from 'lit'
import { base } from '../styles.ts'
import { t } from '../strings.ts'
import { api, ApiError } from '../api.ts'
import { notify, notifyError } from '../notify.ts'
import type { MlWindow, ModelStatus, StageStatus } from '../ml/types.ts'
import type { RerunAll } from '../ml/rerun-all.ts'
import '../ml/rerun-all.ts'

type BacklogState = { open: true, reason: 'window' | 'run-now' } | { open: false, reason: 'paused' | 'outside-window' }
interface PackSummary { pack: string, description?: string, state: 'ready' | 'missing' | 'partial', models: ModelStatus[], fix?: string }
interface MlAdmin {
  provider?: string, packs: PackSummary[], stages: StageStatus[]
  /** Vectors per model name; absent on an older server. */
  embeddings?: { faces: Record<string, number>, clip: Record<string, number> }
  features: Record<string, boolean>, window: MlWindow & { state: BacklogState | null }
}

const hhmm = (s: string) => s.slice(0, 5)
const DEFAULT_WINDOW = { start: '01:00', end: '06:00' }

export class AdminMl extends LitElement {
  static override properties = { info: { state: true }, unavailable: { state: true }, limited: { state: true }, busy: { state: true } }
  static override styles = [base, css`
    :host { display: grid; gap: 18px; }
    section { padding: 18px; display: grid; gap: 12px; overflow-x: auto; }
    form { display: flex; gap: 12px; flex-wrap: wrap; align-items: end; }
    label.check { display: flex; flex-direction: row; gap: 8px; align-items: center; }
    label.check input { min-height: auto; width: 18px; height: 18px; }
    input[type='time'] { width: 130px; }
    .row { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
    .state { font-weight: 600; }
    .state.paused { color: var(--h-danger); } .state.open { color: var(--h-ok); }
    table { border-collapse: collapse; width: 100%; }
    th, td { text-align: left; padding: 8px 10px; border-bottom: 1px solid var(--h-border); vertical-align: middle; }
    th { font-weight: 600; font-size: .9rem; color: var(--h-text-2); }
    .ok { color: var(--h-ok); font-weight: 600; } .bad { color: var(--h-danger); font-weight: 600; }
    code.cmd { background: var(--h-surface-2); padding: 4px 8px; border-radius: 6px; font-size: .9rem; }
    .bar { height: 8px; border-radius: 4px; background: var(--h-surface-3); overflow: hidden; min-width: 100px; flex: 1; }
    .bar span { display: block; height: 100%; background: var(--h-accent); }
    .pack { display: grid; gap: 8px; padding-bottom: 10px; border-bottom: 1px solid var(--h-border); }
    .pack:last-child { border-bottom: none; }
    td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
    .notice { display: grid; gap: 10px; justify-items: start; padding: 12px 14px; border-radius: 8px; border-left: 4px solid var(--h-accent); background: var(--h-accent-soft); }
    .notice p { margin: 0; }
  `]

  info: MlAdmin | null = null
  unavailable = false
  /** The system config answered but the admin summary did not (an older server). */
  limited = false
  busy = false
  private timer: number | undefined

  override connectedCallback (): void { super.connectedCallback(); void this.load() }
  override disconnectedCallback (): void { clearTimeout(this.timer); super.disconnectedCallback() }

  private async load (): Promise<void> {
    clearTimeout(this.timer)
    try {
      this.info = await api.get<MlAdmin>('/api/admin/ml')
      this.unavailable = false
      this.timer = window.setTimeout(() => { void this.load() }, 10_000)
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) this.unavailable = true
      else notifyError(err)
    }
  }

  private async saveWindow (e: SubmitEvent): Promise<void> {
    e.preventDefault()
    const d = new FormData(e.target as HTMLFormElement)
    const enabled = d.get('enabled') === 'on'
    // Off: equal start and end, which the server reads as "at any time".
    const start = enabled ? String(d.get('start') || DEFAULT_WINDOW.start) : '00:00'
    let end = enabled ? String(d.get('end') || DEFAULT_WINDOW.end) : '00:00'
    if (enabled && start === end) end = start === DEFAULT_WINDOW.end ? DEFAULT_WINDOW.start : DEFAULT_WINDOW.end
    this.busy = true
    try {
      await api.put('/api/system-config', { hearth: { mlWindow: { start, end } } })
      notify(t.ml.saved)
      await this.load()
    } catch (err) { notifyError(err) } finally { this.busy = false }
  }

  private async action (action: 'run-now' | 'pause' | 'resume', message: string): Promise<void> {
    this.busy = true
    try {
      await api.post('/api/admin/ml/window', { action })
      notify(message)
      await this.load()
    } catch (err) { notifyError(err) } finally { this.busy = false }
  }

  private async stopRunNow (): Promise<void> {
    this.busy = true
    try {
      await api.put('/api/system-config', { hearth: { mlWindow: { runNow: null } } })
      notify(t.ml.stopped)
      await this.load()
    } catch (err) { notifyError(err) } finally { this.busy = false }
  }

  private async copy (text: string): Promise<void> {
    try { await navigator.clipboard.writeText(text); notify(t.ml.copied) } catch (err) { notifyError(err) }
  }

  private stateLine (w: MlAdmin['window']) {
    const s = w.state
    if (w.paused || s?.reason === 'paused') return html`<span class="state paused">${t.ml.statePaused}</span>`
    if (s?.reason === 'run-now') return html`<span class="state open">${t.ml.stateRunNow}</span>`
    if (s?.open === true) return html`<span class="state open">${t.ml.stateOpen}</span>`
    return html`<span class="state">${t.ml.stateWaiting(hhmm(w.start))}</span>`
  }

  private windowSection (w: MlAdmin['window']) {
    const enabled = hhmm(w.start) !== hhmm(w.end)
    const runningNow = w.runNow !== null && w.state?.reason === 'run-now'
    return html`<section class="card" aria-labelledby="ml-window-h">
      <h2 id="ml-window-h">${t.ml.window}</h2>
      <p class="muted">${t.ml.windowHint}</p>
      <form @submit=${this.saveWindow} aria-label=${t.ml.window} data-testid="ml-window">
        <label class="check"><input type="checkbox" name="enabled" .checked=${enabled}
          @change=${(e: Event) => { const f = (e.target as HTMLInputElement).form!; for (const n of ['start', 'end']) (f.elements.namedItem(n) as HTMLInputElement).disabled = !(e.target as HTMLInputElement).checked }}>${t.ml.enabled}</label>
        <label>${t.ml.start}<input type="time" name="start" required .value=${enabled ? hhmm(w.start) : DEFAULT_WINDOW.start} ?disabled=${!enabled}></label>
        <label>${t.ml.end}<input type="time" name="end" required .value=${enabled ? hhmm(w.end) : DEFAULT_WINDOW.end} ?disabled=${!enabled}></label>
        <button class="primary" type="submit" ?disabled=${this.busy}>${t.ml.save}</button>
      </form>
      <div class="row" role="status"><span class="muted">${t.ml.status}:</span> ${this.stateLine(w)}</div>
      <div class="row">
        ${runningNow ? html`<button @click=${this.stopRunNow} ?disabled=${this.busy}>${t.ml.stopRunNow}</button>`
          : html`<button @click=${() => this.action('run-now', t.ml.runNowDone)} ?disabled=${this.busy || w.paused}>${t.ml.runNow}</button>`}
        ${w.paused ? html`<button @click=${() => this.action('resume', t.ml.resumed)} ?disabled=${this.busy}>${t.ml.resume}</button>`
          : html`<button @click=${() => this.action('pause', t.ml.paused)} ?disabled=${this.busy}>${t.ml.pause}</button>`}
        <a href="/admin/jobs">${t.ml.jobsLink}</a>
      </div>
    </section>`
  }

  private modelState (s: ModelStatus['state']) {
    const label = { ready: t.ml.ready, missing: t.ml.missing, 'wrong-size': t.ml.wrongSize, corrupt: t.ml.corrupt }[s] ?? s
    return html`<span class=${s === 'ready' ? 'ok' : 'bad'}>${label}</span>`
  }

  private modelsSection (packs: PackSummary[]) {
    return html`<section class="card" aria-labelledby="ml-models-h"><h2 id="ml-models-h">${t.ml.models}</h2>
      <p class="muted">${t.ml.modelsHint}</p>
      ${packs.map((p) => html`<div class="pack" data-pack=${p.pack}>
        <div class="row"><h3 style="flex:1">${p.pack}${p.description !== undefined ? html` <span class="muted" style="font-weight:400">· ${p.description}</span>` : nothing}</h3>
          ${p.state === 'ready' ? html`<span class="ok">${t.ml.ready}</span>` : html`<span class="bad">${t.ml.missing}</span>`}</div>
        ${p.state !== 'ready' ? html`<div class="row"><code class="cmd">${p.fix ?? t.ml.fetch(p.pack)}</code>
          <button @click=${() => this.copy(p.fix ?? t.ml.fetch(p.pack))}>${t.ml.copyCommand}</button></div>` : nothing}
        <table><thead><tr><th>${t.ml.model}</th><th>${t.ml.state}</th></tr></thead>
          <tbody>${p.models.map((m) => html`<tr><td>${m.model}</td><td>${this.modelState(m.state)}</td></tr>`)}</tbody></table>
      </div>`)}
    </section>`
  }

  private stagesSection (stages: StageStatus[]) {
    return html`<section class="card" aria-labelledby="ml-stages-h"><h2 id="ml-stages-h">${t.ml.stages}</h2>
      <table><thead><tr><th>${t.ml.stage}</th><th>${t.ml.state}</th><th></th></tr></thead>
      <tbody>${stages.map((s) => html`<tr><td>${s.name}</td>
        <td>${s.available ? html`<span class="ok">${t.ml.available}</span>` : html`<span class="bad">${t.ml.notAvailable}</span>`}</td>
        <td><div class="row"><div class="bar" role="progressbar" aria-label=${s.name} aria-valuemin="0" aria-valuemax=${s.total} aria-valuenow=${s.done}><span style="width:${s.total > 0 ? (s.done / s.total) * 100 : 0}%"></span></div>
          <span>${t.ml.done(s.done, s.total)}</span></div></td></tr>`)}</tbody></table>
    </section>`
  }

  private embeddingsSection (e: NonNullable<MlAdmin['embeddings']>) {
    const kinds = [
      { kind: 'faces', label: t.ml.facesKind, count: t.ml.facesCount, models: Object.entries(e.faces), queue: 'faceDetection', split: t.ml.splitFaces, action: t.ml.rerunFaces },
      { kind: 'clip', label: t.ml.clipKind, count: t.ml.clipCount, models: Object.entries(e.clip), queue: 'smartSearch', split: t.ml.splitClip, action: t.ml.rerunClip },
    ]
    const rows = kinds.flatMap((k) => k.models.sort((a, b) => b[1] - a[1]).map(([model, n]) => ({ ...k, model, n })))
    return html`<section class="card" aria-labelledby="ml-emb-h"><h2 id="ml-emb-h">${t.ml.embeddings}</h2>
      <p class="muted">${t.ml.embeddingsHint}</p>
      ${rows.length === 0 ? html`<p class="muted">${t.ml.noEmbeddings}</p>` : html`<table data-testid="embeddings"><thead><tr><th>${t.ml.kind}</th><th>${t.ml.model}</th><th class="num">${t.ml.analysed}</th></tr></thead>
        <tbody>${rows.map((r) => html`<tr data-kind=${r.kind}><td>${r.label}</td><td>${r.model}</td><td class="num">${r.count(r.n)}</td></tr>`)}</tbody></table>`}
      ${kinds.filter((k) => k.models.length > 1).map((k) => html`<div class="notice" role="note" data-split=${k.kind}>
        <p>${k.split(k.models.length)}</p>
        <button @click=${() => (this.renderRoot.querySelector('hearth-rerun-all') as RerunAll).ask(k.queue)}>${k.action}</button></div>`)}
      <hearth-rerun-all @done=${() => this.load()}></hearth-rerun-all>
    </section>`
  }

  override render () {
    if (this.unavailable) return html`<section class="card"><p class="muted">${t.ml.settingsMissing}</p></section>`
    const i = this.info
    if (i === null) return html`<p class="muted">${t.app.loading}</p>`
    return html`${this.windowSection(i.window)}${i.embeddings !== undefined ? this.embeddingsSection(i.embeddings) : nothing}${this.modelsSection(i.packs)}${this.stagesSection(i.stages)}`
  }
}
customElements.define('hearth-admin-ml', AdminMl)
