// The styles a page needs to be read before its stylesheet arrives: the colours, type, header,
// forms, buttons, cards and badges, the honeypot and the first lines of each resident page.
// A resident page (no scripts, see utils/page-scripts.ts) carries them inline in its <head>, so
// on a 2,000 ms-per-request signal its first paint waits for the HTML alone; its stylesheet
// (app.css, everything else, shared and cached for a year) is linked at the end of the body,
// where it holds back no paint. Staff pages carry the same inline block, then link app.css in
// the <head> as usual. The Content-Security-Policy allows this block by its hash
// (scripts/server.ts), so a page kept in a shared cache needs no nonce.
//
// Plain CSS in a string, so server and browser render the same <style>: keep it small, and put a
// rule here only when the top of some page needs it.
export const CRITICAL_CSS = `
:root {
  --fg: #1b1f24;
  --muted: #57606a;
  --bg: #ffffff;
  --panel: #f4f6f8;
  --line: #d0d7de;
  --accent: #0b5cad;
  --accent-fg: #ffffff;
  --danger: #b42318;
  --ok: #1a7f37;
  --radius: 6px;
  font-family: system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif;
  line-height: 1.5;
  color: var(--fg);
  background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.5rem; line-height: 1.25; margin: 0.5rem 0 1rem; }
h2 { font-size: 1.2rem; margin: 1.5rem 0 0.5rem; }
a { color: var(--accent); }
.muted { color: var(--muted); }
.skip-link { position: absolute; left: -999px; }
.skip-link:focus { left: 0.5rem; top: 0.5rem; background: var(--bg); padding: 0.5rem; z-index: 10; }
/* Header, nav and footer line up with the page's text: main is 60rem wide with 1rem padding. */
.site-header { border-bottom: 3px solid var(--accent); background: var(--bg); padding: 0.5rem 1rem; }
.header-row { display: flex; justify-content: space-between; align-items: center; gap: 0.5rem; max-width: 58rem; margin: 0 auto; }
.brand { display: flex; align-items: center; gap: 0.5rem; text-decoration: none; color: var(--fg); min-height: 44px; }
.brand .logo { flex: none; color: var(--accent); }
.brand-text { display: grid; line-height: 1.2; }
.brand-name { font-weight: 700; font-size: 1.05rem; }
.brand-tagline { font-size: 0.8rem; color: var(--muted); }
.site-nav { display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; align-items: center; max-width: 58rem; margin: 0.25rem auto 0; }
.inline-form { display: inline; margin: 0; }
.link-button { background: none; border: 0; padding: 0.25rem 0; color: var(--accent); text-decoration: underline; cursor: pointer; font: inherit; min-height: 44px; }
form.stack { display: grid; gap: 0.75rem; max-width: 40rem; }
.field { display: grid; gap: 0.25rem; border: 0; padding: 0; margin: 0; min-width: 0; }
.field label, .field legend { font-weight: 600; }
.field .checkbox { font-weight: 400; display: flex; gap: 0.5rem; align-items: center; min-height: 32px; }
.hint { margin: 0; color: var(--muted); font-size: 0.9rem; }
input, select, textarea, button { font: inherit; }
input:not([type='checkbox']):not([type='radio']), select, textarea {
  width: 100%; padding: 0.5rem; border: 1px solid #8c959f; border-radius: var(--radius); background: #fff; min-height: 44px;
}
textarea { min-height: 6rem; }
[aria-invalid='true'] { border-color: var(--danger) !important; outline: 1px solid var(--danger); }
.field-errors { color: var(--danger); margin: 0; padding: 0; list-style: none; font-size: 0.95rem; }
.form-errors { border: 1px solid var(--danger); border-radius: var(--radius); padding: 0.5rem 0.75rem; color: var(--danger); background: #fff5f5; }
.notice { border: 1px solid var(--ok); border-radius: var(--radius); padding: 0.5rem 0.75rem; background: #f0fff4; }
.row { display: grid; gap: 0.75rem; grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr)); }
.button, button[type='submit']:not(.link-button) {
  display: inline-block; background: var(--accent); color: var(--accent-fg); border: 0; border-radius: var(--radius);
  padding: 0.6rem 1rem; min-height: 44px; text-decoration: none; cursor: pointer; font-weight: 600;
}
.button.secondary, button.secondary { background: #fff !important; color: var(--accent) !important; border: 1px solid var(--accent) !important; }
button.danger { background: var(--danger) !important; }
.actions { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 0.4rem 0.5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
.table-wrap { overflow-x: auto; }
.cards { list-style: none; padding: 0; margin: 0; display: grid; gap: 0.75rem; }
.card { border: 1px solid var(--line); border-radius: var(--radius); padding: 0.75rem; }
.card h2, .card h3 { margin: 0 0 0.25rem; font-size: 1.05rem; }
.badge { display: inline-block; padding: 0 0.5rem; border-radius: 999px; background: var(--panel); border: 1px solid var(--line); font-size: 0.85rem; }
.badge.published { border-color: var(--ok); color: var(--ok); }
.badge.cancelled { border-color: var(--danger); color: var(--danger); }
dl.details { display: grid; grid-template-columns: minmax(8rem, max-content) 1fr; gap: 0.25rem 1rem; }
dl.details dt { font-weight: 600; }
dl.details dd { margin: 0; overflow-wrap: anywhere; }
.filters { display: grid; gap: 0.5rem; grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr)); align-items: end; margin-bottom: 1rem; }
@media (max-width: 30rem) {
  dl.details { grid-template-columns: 1fr; }
  dl.details dd { margin-bottom: 0.5rem; }
}
/* Long e-mail addresses wrap instead of widening the page on a phone. */
.break-anywhere { overflow-wrap: anywhere; }
.badge.registered { border-color: var(--ok); color: var(--ok); }
.badge.waitlisted { border-color: #9a6700; color: #7d4e00; }
/* The honeypot: off-screen for people, still in the form for bots. */
.hp { position: absolute; left: -10000px; top: auto; width: 1px; height: 1px; overflow: hidden; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.lead-when { font-weight: 600; margin: -0.5rem 0 0.75rem; }
/* The GOV.UK error summary: what is wrong, each a link to its field */
.error-summary { border-width: 3px; }
.error-summary h3 { margin: 0.25rem 0 0.5rem; font-size: 1.05rem; }
.error-summary ul { margin: 0; padding-left: 1.25rem; }
.error-summary a { color: var(--danger); font-weight: 600; }
.consent-link a { display: inline-block; padding: 0.25rem 0; }
/* Certificate verification: colour, icon and text each tell the state */
.verdict { display: grid; grid-template-columns: auto 1fr; gap: 0.25rem 0.75rem; align-items: center; border: 2px solid; border-radius: var(--radius); padding: 0.75rem; }
.verdict-icon { grid-row: span 2; }
.verdict-label { font-size: 1.25rem; }
.verdict-valid { color: #0f5323; background: #e6f6ec; border-color: #1a7f37; }
.verdict-revoked { color: #8a1c12; background: #fdf0f0; border-color: #b42318; }
.verdict-replaced { color: #6b4500; background: #fff8e1; border-color: #9a6700; }
.card .badge.live { margin-left: 0.25rem; }
.picker-row { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; }
.picker-row select { flex: 1 1 12rem; }
.picker-row button[hidden] { display: none; }
`
