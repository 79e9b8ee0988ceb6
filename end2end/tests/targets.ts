// Target size audit (issue 14: "targets at least 44×44 px"), shared by the resident, elder-mode
// and staff specs. It runs in the page (works with the page's JavaScript off: Playwright's
// evaluate is not the page's script).
import { expect, type Page } from '@playwright/test';

/** WCAG 2.5.5 (AAA) size, which issue 14 asks for everywhere: 44×44 CSS px. */
export const MIN_TARGET = 44;

/**
 * Every visible target on the page smaller than `min`×`min` px, as `tag#id.class in parent "text" W×H`.
 *
 * A target is anything a finger can activate: links, buttons, inputs, selects, textareas,
 * `<summary>`, elements with a button role or in the tab order, and links inside SVG (map cells).
 * A radio button or checkbox counts with its label (the label is what a finger hits), as the
 * larger of the two.
 *
 * The one exemption is WCAG 2.5.8's inline exception: a link inside running text — a sentence in
 * a `<p>` or `<li>` whose text goes on right before or after the link on the same line (e.g. the
 * 110/119/120 numbers in "紧急情况请直接拨打 110（报警）…"). Its height is the line's; making it
 * 44 px would break the sentence apart. A link that is the whole content of its paragraph or list
 * item (a list of links, a pager, "more…") is a target like any other.
 */
export async function smallTargets(page: Page, min: number = MIN_TARGET): Promise<string[]> {
  return page.evaluate((min) => {
    const SEL = [
      'a[href]',
      'button',
      'input:not([type=hidden])',
      'select',
      'textarea',
      'summary',
      '[role=button]',
      '[tabindex]:not([tabindex="-1"])',
    ].join(',');
    const hasWords = (s: string | null): boolean => /[\p{L}\p{N}]/u.test(s || '');
    const isInline = (el: Element): boolean => getComputedStyle(el).display === 'inline';
    /** Words right next to `node` on its line (skipping blank text), in the same inline run. */
    const textBeside = (node: Node): boolean => {
      for (const dir of ['previousSibling', 'nextSibling'] as const) {
        let sib = node[dir];
        // Blank text, punctuation (" · " between two links is no sentence) and comments skipped.
        while (sib && (sib.nodeType === Node.COMMENT_NODE || (sib.nodeType === Node.TEXT_NODE && !hasWords(sib.textContent)))) {
          sib = sib[dir];
        }
        if (!sib) continue;
        if (sib.nodeType === Node.TEXT_NODE) return true;
        // Words in an inline element (<strong>, <span>) go on the sentence; another link does not.
        if (sib instanceof Element && isInline(sib) && !sib.matches('a, button') && !sib.querySelector('a, button') && hasWords(sib.textContent)) {
          return true;
        }
      }
      return false;
    };
    /** A link in a sentence of a p/li: it, or an inline element holding it, has words beside it. */
    const inRunningText = (el: Element): boolean => {
      if (el.tagName !== 'A' || !el.closest('p, li')) return false;
      for (let n: Element | null = el; n && !n.matches('p, li'); n = n.parentElement) {
        if (n !== el && !isInline(n)) return false;
        if (textBeside(n)) return true;
      }
      return false;
    };
    const shown = (el: Element, r: DOMRect): boolean => {
      if (r.width === 0 && r.height === 0) return false;
      const s = getComputedStyle(el);
      return s.visibility !== 'hidden' && s.display !== 'none';
    };
    const out = new Set<string>();
    for (const el of Array.from(document.querySelectorAll(SEL))) {
      const own = el.getBoundingClientRect();
      if (!shown(el, own) || inRunningText(el)) continue;
      let w = own.width;
      let h = own.height;
      if (el instanceof HTMLInputElement && (el.type === 'radio' || el.type === 'checkbox')) {
        for (const label of Array.from(el.labels || [])) {
          const r = label.getBoundingClientRect();
          if (r.width * r.height > w * h) {
            w = r.width;
            h = r.height;
          }
        }
      }
      // Sub-pixel rounding (44 px of rem arithmetic can come out 43.99).
      if (Math.round(w) < min || Math.round(h) < min) {
        const name = (e: Element): string => {
          const id = e.getAttribute('id') ? `#${e.getAttribute('id')}` : '';
          const cls = typeof e.className === 'string' && e.className ? `.${e.className.trim().split(/\s+/).join('.')}` : '';
          return `${e.tagName.toLowerCase()}${id}${cls}`;
        };
        const text = (el.textContent || (el as HTMLInputElement).value || el.getAttribute('aria-label') || '').trim().slice(0, 24);
        const parent = el.parentElement ? ` in ${name(el.parentElement)}` : '';
        out.add(`${name(el)}${parent} "${text}" ${Math.round(w)}×${Math.round(h)}`);
      }
    }
    return [...out];
  }, min);
}

/**
 * Audits the page as it is now and records what is too small under `what` (a soft assertion, so
 * one run lists every page's problems).
 */
export async function expectTargets(page: Page, what: string): Promise<void> {
  // Measured once the page's stylesheet has loaded (a form post's answer may be in the DOM
  // before it: sizes then are the browser's defaults).
  await page.waitForLoadState('load');
  expect.soft(await smallTargets(page), `${what} (${new URL(page.url()).pathname}): targets under 44×44 px`).toEqual([]);
}
