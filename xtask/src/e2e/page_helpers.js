// Finds things in the page the way the browser tests do: by role and
// accessible name (window.__a11y: dom-accessibility-api, installed just
// before this script), leaving out what is hidden or not laid out.
// Installed before the app's own scripts (through DevTools, so the page's
// CSP does not apply to it).
window.__ts = (() => {
  const a11y = window.__a11y;
  const norm = (t) => (t || "").replace(/\s+/g, " ").trim();
  // A wanted name ending in "…" matches every name that starts with what precedes it.
  const nameIs = (wanted) => (name) =>
    wanted.endsWith("…") ? name.startsWith(wanted.slice(0, -1)) : name === wanted;
  const laidOut = (el) => el.getClientRects().length > 0;
  const find = (r, n) =>
    a11y.findAll(document.documentElement, r, nameIs(n)).find(laidOut) || null;
  const describe = (el) => (el ? { role: a11y.role(el), name: a11y.name(el) } : null);
  const dialog = (el) => el && el.closest("[role=dialog], [role=alertdialog]");
  const focusable = (container) =>
    [
      ...container.querySelectorAll(
        'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])',
      ),
    ].filter((e) => e.offsetParent !== null);
  return {
    find,
    describe,
    name: a11y.name,
    focused: () => {
      const el = document.activeElement;
      const d = dialog(el);
      return { ...describe(el), dialog: d ? describe(d) : null };
    },
    // The first and last controls Tab reaches inside the innermost open dialog.
    ends: () => {
      const d = dialog(document.activeElement);
      if (!d) return null;
      const all = focusable(d);
      return { dialog: describe(d), first: describe(all[0]), last: describe(all[all.length - 1]) };
    },
    checked: (r, n) => {
      const e = find(r, n);
      return e ? e.checked : null;
    },
    exists: (r, n) => find(r, n) !== null,
    // What the page's alerts say, joined.
    alerts: () => [...document.querySelectorAll('[role="alert"]')].map((e) => e.textContent).join(" "),
    // A setting's state: the accessible description of its row's link.
    stateOf: (n) => {
      const link = find("link", n);
      return link ? a11y.description(link) : null;
    },
    status: () =>
      [...document.querySelectorAll("[role=status]")].map((e) => norm(e.textContent)).join(" | "),
    overflow: () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    // What moves on the page: running animations, and the switch track's transition.
    motion: () => {
      const track = document.querySelector(".ts-switch__track");
      return {
        animations: document.getAnimations().length,
        transition: track ? getComputedStyle(track).transitionDuration : null,
      };
    },
    // How the switch track and the focus ring are drawn.
    switchLook: () => {
      const track = document.querySelector(".ts-switch__track");
      const style = getComputedStyle(track);
      return {
        border: style.borderTopColor,
        width: parseFloat(style.borderTopWidth),
        background: style.backgroundColor,
      };
    },
  };
})();
