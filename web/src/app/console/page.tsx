import type { Metadata } from 'next';
import { Suspense } from 'react';
import { ConsoleView } from '../../components/console/console-view';

export const metadata: Metadata = { title: 'Console · OpenUTM' };

// `/console?vm=<id>`: a query, not a path segment, because the export is static.
export default function ConsolePage() {
  // useSearchParams needs a Suspense boundary in a static export.
  return (
    <Suspense fallback={null}>
      <ConsoleView />
    </Suspense>
  );
}
