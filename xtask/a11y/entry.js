// The one role and accessible-name engine of the browser tests and the
// keyboard run: dom-accessibility-api's rules, exposed to the page as
// `window.__a11y`. `npm run bundle` (run by `cargo xtask install`) turns this
// file and the package into the browser script dist/a11y.js.
import {
  computeAccessibleDescription,
  computeAccessibleName,
  getRole,
  isInaccessible,
} from "dom-accessibility-api";

const normalized = (text) => (text || "").replace(/\s+/g, " ").trim();

const role = (element) => getRole(element);
const name = (element) => normalized(computeAccessibleName(element));
const description = (element) => normalized(computeAccessibleDescription(element));
// Perceivable by a person or a screen reader: not hidden, not aria-hidden, not display:none.
const perceivable = (element) => !isInaccessible(element);

// The perceivable elements under `root` with this role whose name passes
// `nameTest` (a function, or the exact name), in document order.
const findAll = (root, wantedRole, nameTest) => {
  const test = typeof nameTest === "function" ? nameTest : (n) => n === nameTest;
  return [...root.querySelectorAll("*")].filter(
    (element) => role(element) === wantedRole && perceivable(element) && test(name(element)),
  );
};

window.__a11y = {
  role,
  name,
  description,
  perceivable,
  findAll,
  find: (root, wantedRole, nameTest) => findAll(root, wantedRole, nameTest)[0] || null,
};
