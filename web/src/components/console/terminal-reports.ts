// Replies a terminal sends on its own when the output it draws asks for them: cursor position
// (a busybox or bash prompt asks at every prompt), device attributes, status, mode and setting
// reports, window size and OSC colour queries. xterm.js sends each as one onData call.
const REPORT = new RegExp(
  [
    '\\x1b\\[[?>]?[\\d;]*[Rcn]', // cursor position, device attributes, status
    '\\x1b\\[\\??[\\d;]*\\$y', // mode report
    '\\x1b\\[[\\d;]*t', // window size or position
    '\\x1bP[^\\x1b]*\\x1b\\\\', // setting report (DCS … ST)
    '\\x1b\\][^\\x07\\x1b]*(?:\\x07|\\x1b\\\\)', // OSC colour reply
  ]
    .map((p) => `(?:${p})`)
    .join('|'),
);
const REPORTS_ONLY = new RegExp(`^(?:${REPORT.source})+$`);

// Whether data from the terminal is nothing but such replies (no keystroke among them).
export function isTerminalReport(data: string): boolean {
  return REPORTS_ONLY.test(data);
}
