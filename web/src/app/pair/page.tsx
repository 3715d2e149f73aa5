import type { Metadata } from 'next';
import { Suspense } from 'react';
import { PairForm } from '../../components/pair/pair-form';
import { PairIntro } from '../../components/pair/pair-intro';

export const metadata: Metadata = { title: 'Pair this browser · OpenUTM' };

// `/pair?code=K7QM-2XPD`: trades a code from `openutm pair` for a token.
export default function PairPage() {
  // useSearchParams needs a Suspense boundary in a static export; only the form waits for it,
  // the explanation is in the HTML (the page's largest text, painted without scripts).
  return (
    <div className="mx-auto grid max-w-4xl gap-8 md:grid-cols-[1fr_1.1fr]">
      <PairIntro />
      <Suspense fallback={null}>
        <PairForm />
      </Suspense>
    </div>
  );
}
