// Splits a Windows command line the way CommandLineToArgvW and the C runtime do (2008+ rules):
// 2n backslashes before a quote give n and toggle quoting, 2n+1 give n and a literal quote,
// other backslashes are literal. The first argument (the program) only honours quotes.
// Used by tests to read back what the Run key writer produced.
export function splitWindowsCommandLine(line: string): string[] {
  const args: string[] = [];
  let i = 0;
  // Program name: quoted up to the next quote, or up to whitespace.
  let program = '';
  if (line[0] === '"') {
    const end = line.indexOf('"', 1);
    program = line.slice(1, end === -1 ? undefined : end);
    i = end === -1 ? line.length : end + 1;
  } else {
    while (i < line.length && !/\s/.test(line[i]!)) program += line[i++];
  }
  args.push(program);
  for (;;) {
    while (i < line.length && /\s/.test(line[i]!)) i++;
    if (i >= line.length) return args;
    let arg = '';
    let quoted = false;
    while (i < line.length && (quoted || !/\s/.test(line[i]!))) {
      let slashes = 0;
      while (line[i] === '\\') {
        slashes++;
        i++;
      }
      if (line[i] === '"') {
        arg += '\\'.repeat(Math.floor(slashes / 2));
        if (slashes % 2 === 1) arg += '"';
        else if (quoted && line[i + 1] === '"') {
          arg += '"';
          i++;
        } else quoted = !quoted;
        i++;
      } else {
        arg += '\\'.repeat(slashes);
        if (i < line.length && (quoted || !/\s/.test(line[i]!))) arg += line[i++];
      }
    }
    args.push(arg);
  }
}
