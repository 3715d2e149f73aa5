import { createHash } from 'node:crypto';

// A <script> element with its attributes and text. Script text is raw text in HTML: it ends at
// the first `</script`, and entities are not decoded, so the bytes between the tags are exactly
// what the browser hashes.
const SCRIPT = /<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi;
const HAS_SRC = /(?:^|\s)src\s*=/i;

// The CSP source expressions ('sha256-…') of every inline script in a page, in order, without
// repeats. Next's static export inlines its bootstrap and RSC payload scripts; listing their
// hashes lets script-src drop 'unsafe-inline', so a script injected into a page (with any
// other text) is refused by the browser.
export function inlineScriptHashes(html: string): string[] {
  const hashes = new Set<string>();
  for (const match of html.matchAll(SCRIPT)) {
    const [, attributes = '', text = ''] = match;
    if (HAS_SRC.test(attributes)) continue;
    hashes.add(`'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`);
  }
  return [...hashes];
}
