import { Fragment } from 'react';

// The helper writes its messages for terminals too, marking commands with backticks
// ("run `openutm pair` for a new one"); on a page those parts are shown as code, without the marks.
export function MessageText({ text }: { text: string }) {
  return (
    <>
      {splitCode(text).map((part, i) => (
        <Fragment key={i}>{part.code ? <code>{part.text}</code> : part.text}</Fragment>
      ))}
    </>
  );
}

// `a \`b\` c` → text "a ", code "b", text " c". An unmatched backtick is left as it is.
export function splitCode(text: string): Array<{ text: string; code: boolean }> {
  const parts: Array<{ text: string; code: boolean }> = [];
  const re = /`([^`\n]+)`/g;
  let at = 0;
  for (const m of text.matchAll(re)) {
    if (m.index > at) parts.push({ text: text.slice(at, m.index), code: false });
    parts.push({ text: m[1]!, code: true });
    at = m.index + m[0].length;
  }
  if (at < text.length) parts.push({ text: text.slice(at), code: false });
  return parts;
}
