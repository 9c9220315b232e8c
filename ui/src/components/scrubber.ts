/**
 * <hearth-scrubber>: the date rail beside the timeline. Years are placed where they are in the
 * scroll height; pointer down/drag jumps there (the hovered month is shown), and each year is also a
 * button for the keyboard. Emits `scrub` with `{ fraction, month }` (0 = top).
 */
import { LitElement, html, css, nothing } from 'lit'
import { base } from '../styles.ts'
import { t } from '../strings.ts'

export interface ScrubMark { label: string, fraction: number, year: boolean }

export class Scrubber extends LitElement {
  static override properties = { marks: { attribute: false }, position: { type: Number }, hover: { state: true } }
  static override styles = [base, css`
    :host { position: absolute; top: 0; right: 0; bottom: 0; width: 60px; user-select: none; touch-action: none; z-index: 3; }
    .rail { position: absolute; inset: 8px 0 8px 0; cursor: row-resize; }
    .year { position: absolute; right: 6px; transform: translateY(-50%); font-size: .72rem; color: var(--h-text-2); background: none; border: none; min-height: 0; padding: 1px 4px; border-radius: 4px; }
    .year:hover, .year:focus-visible { color: var(--h-text); background: var(--h-surface-2); }
    .dot { position: absolute; right: 10px; width: 4px; height: 4px; border-radius: 50%; background: var(--h-border); transform: translateY(-50%); pointer-events: none; }
    .pos { position: absolute; right: 0; width: 22px; height: 3px; background: var(--h-accent); transform: translateY(-50%); pointer-events: none; border-radius: 2px; }
    .label { position: absolute; right: 30px; transform: translateY(-50%); background: var(--h-text); color: var(--h-bg); font-size: .8rem; padding: 3px 8px; border-radius: 6px; white-space: nowrap; pointer-events: none; }
    @media (max-width: 700px) { :host { width: 40px; } .year { display: none; } }
  `]

  marks: ScrubMark[] = []
  position = 0
  hover: { y: number, label: string } | undefined
  private dragging = false
  private height = 0
  private years: ScrubMark[] = []
  private yearsFor: unknown
  private readonly resize = new ResizeObserver((e) => { this.height = e[0].contentRect.height; this.yearsFor = undefined; this.requestUpdate() })

  override connectedCallback (): void { super.connectedCallback(); this.resize.observe(this) }
  override disconnectedCallback (): void { super.disconnectedCallback(); this.resize.disconnect() }

  private fractionAt (e: PointerEvent): number {
    const rail = this.renderRoot.querySelector('.rail')!.getBoundingClientRect()
    return Math.min(1, Math.max(0, (e.clientY - rail.top) / rail.height))
  }

  private labelAt (f: number): string {
    let label = ''
    for (const m of this.marks) { if (m.fraction <= f + 1e-9) label = m.label; else break }
    return label
  }

  /** `month`: a year's button, which brings that month's start to the top (a drag maps the rail onto the scroll range). */
  private emit (fraction: number, month = false): void { this.dispatchEvent(new CustomEvent('scrub', { detail: { fraction, month } })) }

  private readonly down = (e: PointerEvent) => {
    if ((e.target as HTMLElement).classList.contains('year')) return
    this.dragging = true;
    (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId)
    this.emit(this.fractionAt(e))
  }

  private readonly move = (e: PointerEvent) => {
    const f = this.fractionAt(e)
    const rail = this.renderRoot.querySelector('.rail')!.getBoundingClientRect()
    this.hover = { y: f * rail.height, label: this.labelAt(f) }
    if (this.dragging) this.emit(f)
  }

  private readonly up = () => { this.dragging = false }

  override render () {
    // Keep year labels from overlapping: at least ~18 px apart (worked out again only when the marks or the height change).
    if (this.yearsFor !== this.marks) {
      const rail = this.height - 16
      let last = -Infinity
      this.years = this.marks.filter((m) => m.year).filter((m) => { const y = m.fraction * rail; if (y - last < 18) return false; last = y; return true })
      this.yearsFor = this.marks
    }
    const years = this.years
    return html`<div class="rail" @pointerdown=${this.down} @pointermove=${this.move} @pointerup=${this.up} @pointerleave=${() => { this.hover = undefined; this.dragging = false }}>
      ${this.marks.filter((m) => m.year).map((m) => html`<span class="dot" style="top:${m.fraction * 100}%"></span>`)}
      ${years.map((m) => html`<button class="year" style="top:${m.fraction * 100}%" aria-label="${t.timeline.scrubber}: ${m.label}" @click=${() => this.emit(m.fraction, true)}>${m.label.replace(/.*(\d{4}).*/, '$1')}</button>`)}
      <span class="pos" style="top:${this.position * 100}%"></span>
      ${this.hover !== undefined ? html`<span class="label" style="top:${this.hover.y}px">${this.hover.label}</span>` : nothing}
    </div>`
  }
}
customElements.define('hearth-scrubber', Scrubber)
