// Shown instead of the app when the web export is missing (a helper built or run from a
// checkout without `web/out`), so the person sees what to do rather than a bare 404.
export function notBuiltPage(webRoot: string | undefined): string {
  const where = webRoot === undefined ? 'no web directory was configured' : `${escapeHtml(webRoot)} does not exist`;
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>OpenUTM — the app is not built yet</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}code{background:#eee;padding:.1rem .3rem;border-radius:.2rem}</style>
</head>
<body>
<h1>The OpenUTM helper is running, but its app is not built yet</h1>
<p>The helper serves the web app from a static export, and ${where}.</p>
<p>Build it from the repository with <code>npm run build --workspace web</code> (it writes <code>web/out</code>), then reload this page.</p>
<p>The command line works meanwhile: <code>openutm list</code>.</p>
</body>
</html>
`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
