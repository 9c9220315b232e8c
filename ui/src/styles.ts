/** Styles shared by components (Lit `css`): controls, focus rings, text helpers. Colours come from theme.css. */
import { css } from 'lit'

export const base = css`
  :host { font: inherit; color: var(--h-text); }
  *, *::before, *::after { box-sizing: border-box; }
  :focus-visible { outline: 2px solid var(--h-focus); outline-offset: 2px; }
  a { color: var(--h-accent); }
  h1, h2, h3 { font-weight: 600; margin: 0; }
  h1 { font-size: 1.5rem; }
  h2 { font-size: 1.15rem; }
  .muted { color: var(--h-text-2); }
  .visually-hidden { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  button, .button {
    font: inherit; display: inline-flex; align-items: center; justify-content: center; gap: 6px; min-height: 38px; padding: 0 14px;
    border-radius: 999px; border: 1px solid var(--h-border); background: var(--h-surface); color: var(--h-text); cursor: pointer; text-decoration: none;
  }
  button:hover, .button:hover { background: var(--h-surface-2); }
  button:disabled { opacity: .55; cursor: default; }
  button.primary, .button.primary { background: var(--h-accent); border-color: var(--h-accent); color: var(--h-accent-text); font-weight: 600; }
  button.primary:hover { filter: brightness(1.06); }
  button.danger { color: var(--h-danger); }
  button.icon, .button.icon { width: 40px; height: 40px; min-height: 40px; padding: 0; border: none; background: transparent; border-radius: 50%; }
  button.icon:hover, .button.icon:hover { background: var(--h-surface-2); }
  svg.i { width: 22px; height: 22px; fill: currentColor; flex: none; }
  input, select, textarea {
    font: inherit; color: var(--h-text); background: var(--h-surface); border: 1px solid var(--h-border); border-radius: 8px; padding: 9px 11px; min-height: 40px;
  }
  input:focus-visible, select:focus-visible { outline: 2px solid var(--h-focus); outline-offset: 0; border-color: transparent; }
  label { display: grid; gap: 4px; font-size: .92rem; }
  .error { color: var(--h-danger); }
  .card { background: var(--h-surface); border: 1px solid var(--h-border); border-radius: var(--h-radius); }
  .page { padding: 20px 24px 40px; }
  @media (max-width: 700px) { .page { padding: 14px 12px 80px; } }
`
