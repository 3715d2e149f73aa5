// Renders the app icon (src/app/icon.svg) to the PNGs the web app manifest lists, with the
// system Chromium. Run once when the icon changes (`node scripts/make-icons.mjs`); the PNGs are
// committed, so builds need no browser.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const web = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const svg = readFileSync(path.join(web, 'src/app/icon.svg'), 'utf8');
const svgUrl = `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;

// "any" icons show the rounded tile as drawn; maskable ones fill the square with the tile colour
// and keep the drawing inside the 80 % safe zone that launchers may crop to a circle.
const ICONS = [
  { file: 'icon-192.png', size: 192, maskable: false },
  { file: 'icon-512.png', size: 512, maskable: false },
  { file: 'icon-maskable-512.png', size: 512, maskable: true },
  { file: 'apple-touch-icon.png', size: 180, maskable: true },
];

function html(size, maskable) {
  const inner = maskable ? Math.round(size * 0.8) : size;
  const bg = maskable ? '#0284c7' : 'transparent';
  return `<html><body style="margin:0;width:${size}px;height:${size}px;display:grid;place-items:center;background:${bg}">
<img src="${svgUrl}" width="${inner}" height="${inner}"></body></html>`;
}

// ICONDIR (6 bytes) + one ICONDIRENTRY (16 bytes) + the PNG.
function icoOf(png, size) {
  const head = Buffer.alloc(22);
  head.writeUInt16LE(0, 0);
  head.writeUInt16LE(1, 2);
  head.writeUInt16LE(1, 4);
  head.writeUInt8(size, 6);
  head.writeUInt8(size, 7);
  head.writeUInt16LE(1, 10);
  head.writeUInt16LE(32, 12);
  head.writeUInt32LE(png.length, 14);
  head.writeUInt32LE(22, 18);
  return Buffer.concat([head, png]);
}

const browser = await chromium.launch({ executablePath: process.env.OPENUTM_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--headless'] });
try {
  for (const icon of ICONS) {
    const page = await browser.newPage({ viewport: { width: icon.size, height: icon.size } });
    await page.setContent(html(icon.size, icon.maskable));
    await page.locator('img').evaluate((img) => img.decode());
    await page.screenshot({ path: path.join(web, 'public', icon.file), omitBackground: !icon.maskable });
    await page.close();
    console.log(`public/${icon.file}`);
  }
  // Browsers ask for /favicon.ico whatever the page links; an ICO may hold a PNG as it is.
  const page = await browser.newPage({ viewport: { width: 32, height: 32 } });
  await page.setContent(html(32, false));
  await page.locator('img').evaluate((img) => img.decode());
  writeFileSync(path.join(web, 'public/favicon.ico'), icoOf(await page.screenshot({ omitBackground: true }), 32));
  console.log('public/favicon.ico');
} finally {
  await browser.close();
}
