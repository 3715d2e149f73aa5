import type { MetadataRoute } from 'next';

// A static export writes this once, to out/manifest.webmanifest.
export const dynamic = 'force-static';

// What makes the UI installable as its own window, with the icons made by scripts/make-icons.mjs.
export default function manifest(): MetadataRoute.Manifest {
  // Under a hosted sub-path every URL in the manifest carries it.
  const base = process.env.NEXT_PUBLIC_OPENUTM_BASE_PATH ?? '';
  return {
    id: `${base}/`,
    name: 'OpenUTM',
    short_name: 'OpenUTM',
    description: 'Virtual machines on your own computer, managed from the browser.',
    start_url: `${base}/`,
    scope: `${base}/`,
    display: 'standalone',
    background_color: '#f5f5f5',
    theme_color: '#0284c7',
    categories: ['utilities', 'developer'],
    icons: [
      { src: `${base}/icon.svg`, sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
      { src: `${base}/icon-192.png`, sizes: '192x192', type: 'image/png', purpose: 'any' },
      { src: `${base}/icon-512.png`, sizes: '512x512', type: 'image/png', purpose: 'any' },
      { src: `${base}/icon-maskable-512.png`, sizes: '512x512', type: 'image/png', purpose: 'maskable' },
    ],
  };
}
