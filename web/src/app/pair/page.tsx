import type { Metadata } from 'next';
import { Suspense } from 'react';
import { PairForm } from '../../components/pair/pair-form';

export const metadata: Metadata = { title: 'Pair this browser · OpenUTM' };

// `/pair?code=K7QM-2XPD`: trades a code from `openutm pair` for a token.
export default function PairPage() {
  // useSearchParams needs a Suspense boundary in a static export.
  return (
    <Suspense fallback={null}>
      <PairForm />
    </Suspense>
  );
}
