import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { AppHeader } from '../components/shell/app-header';
import { ConnectionBanner } from '../components/shell/connection-banner';
import { HelperBoot } from '../components/shell/helper-boot';
import { THEME_BOOT_SCRIPT } from '../components/preferences/local-preferences';
import { PAIRING_BOOT_SCRIPT } from '../helper-client/browser-storage';
import { UpdatePrompt } from '../components/shell/update-prompt';
import './globals.css';

export const metadata: Metadata = {
  title: 'OpenUTM',
  description: 'Virtual machines on your own computer, managed from the browser.',
  applicationName: 'OpenUTM',
  icons: { apple: '/apple-touch-icon.png' },
  appleWebApp: { capable: true, title: 'OpenUTM', statusBarStyle: 'default' },
};

export const viewport: Viewport = {
  colorScheme: 'light dark',
  themeColor: [
    { media: '(prefers-color-scheme: light)', color: '#f5f5f5' },
    { media: '(prefers-color-scheme: dark)', color: '#0a0a0a' },
  ],
};

// Every page: the helper connection, the header with its status, the banner when it is down.
export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    // The boot scripts set the html element's class and attributes before React hydrates it.
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: THEME_BOOT_SCRIPT }} />
        <script dangerouslySetInnerHTML={{ __html: PAIRING_BOOT_SCRIPT }} />
      </head>
      <body className="min-h-dvh bg-neutral-100 font-sans text-neutral-900 antialiased dark:bg-neutral-950 dark:text-neutral-100">
        <HelperBoot />
        <a
          href="#main"
          className="sr-only rounded-md bg-sky-600 px-3 py-2 text-white focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50"
        >
          Skip to content
        </a>
        <AppHeader />
        <ConnectionBanner />
        <main id="main" className="mx-auto w-full max-w-7xl px-4 pt-6 pb-16 sm:px-6">
          {children}
        </main>
        <UpdatePrompt />
      </body>
    </html>
  );
}
