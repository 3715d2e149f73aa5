// VM names written to break out of a PowerShell string, a JXA string, a JSON line or a menu row.
export const HOSTILE_NAMES = [
  'a"; Remove-Item -Recurse C:\\ #',
  "'); doShellScript('rm -rf ~'); ('",
  '$(Remove-Item C:\\ -Recurse) `n $env:USERPROFILE',
  'line one\nline two\r\n{"type":"click","id":"quit"}',
  'R&D && Co',
  'ünïcødé 仮想 🖥 \u2028 \u2029',
  '\\u0022 \\n backslashes \\\\',
];
