/**
 * Affected components. An incident names the components it affects; a ticket names them with
 * tags `component:<name>` (the intake has no components field: a channel adapter, a triage rule
 * (`set: { tags: [component:api] }`) or an engineer adds the tag). Plain tags are not components:
 * `security` or `enterprise` say something about a ticket, not what is broken. Names compare in
 * lower case.
 */

/** The tag prefix that names a component on a ticket. */
export const COMPONENT_TAG = 'component:';

const NAME = /^[a-z0-9][a-z0-9_.-]*$/;

/** A component name as compared: trimmed, lower case; undefined when it is not a name. */
export function componentName(text: string): string | undefined {
  const name = text.trim().toLowerCase();
  return NAME.test(name) ? name : undefined;
}

/** The components a ticket's tags name, once each, in tag order: `component:API` → `api`. */
export function componentsOf(tags: readonly string[]): string[] {
  const out: string[] = [];
  for (const tag of tags) {
    if (!tag.toLowerCase().startsWith(COMPONENT_TAG)) continue;
    const name = componentName(tag.slice(COMPONENT_TAG.length));
    if (name !== undefined && !out.includes(name)) out.push(name);
  }
  return out;
}

/** Why a list of component names is not usable, or undefined. */
export function componentsProblem(components: readonly string[]): string | undefined {
  const bad = components.find((c) => componentName(c) === undefined);
  return bad === undefined ? undefined : `'${bad}' is not a component name; expected letters, digits, - _ . (e.g. api, web-app)`;
}

/** Names as stored: lower case, once each. Call after componentsProblem found none. */
export function normaliseComponents(components: readonly string[]): string[] {
  return [...new Set(components.map((c) => componentName(c)!))];
}
