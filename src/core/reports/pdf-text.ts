/**
 * Text encoding for the PDF renderer, apart because it is a constraint of the fonts, not
 * of the layout.
 */
/** Code points above Latin-1 that Helvetica's WinAnsi encoding still has (pdfkit's own map). */
const WIN_ANSI_EXTRA = new Set([402, 710, 732, 338, 339, 352, 353, 376, 381, 382, 8211, 8212, 8216, 8217, 8218, 8220, 8221, 8222, 8224, 8225, 8226, 8230, 8240, 8249, 8250, 8364, 8482]);
const REPLACEMENTS: Record<string, string> = { '\u2212': '-', '\u2192': '->', '\u2190': '<-', '\u2264': '<=', '\u2265': '>=', '\u2248': '~', '\u2260': '!=', '\u2009': ' ', '\u202f': ' ' };

function encodable(ch: string): boolean {
  const code = ch.codePointAt(0) ?? 0;
  return (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRA.has(code);
}

/**
 * Text the built-in Helvetica can show. The standard fonts only cover WinAnsi; pdfkit
 * would emit other characters as garbage glyphs, so math signs become ASCII, accents
 * outside Latin-1 are dropped (ő → o) and anything else becomes "?". The HTML and CSV
 * keep the original text; this is the price of shipping no font files.
 */
export function pdfSafeText(text: string): string {
  let out = '';
  for (const ch of text.normalize('NFC').replace(/[\t\r\n]+/g, ' ')) {
    if (encodable(ch)) out += ch;
    else if (REPLACEMENTS[ch] !== undefined) out += REPLACEMENTS[ch];
    else {
      const base = ch.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
      out += base !== '' && [...base].every(encodable) ? base : '?';
    }
  }
  return out;
}
