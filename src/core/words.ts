/** Words about records, shared by the core and the web app (so it imports nothing else). */

/** The singular of a table name (“companies” → “company”). */
export function singular(name: string): string {
  if (name.endsWith('ies')) return `${name.slice(0, -3)}y`;
  if (name.endsWith('sses') || name.endsWith('xes')) return name.slice(0, -2);
  if (name.endsWith('s') && !name.endsWith('ss')) return name.slice(0, -1);
  return name;
}

/**
 * Text for a CSV cell that a spreadsheet will not run: a leading =, +, -, @, tab or carriage
 * return would make it a formula, so such text gets a leading apostrophe.
 */
export function neutraliseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}
