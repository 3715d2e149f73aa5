import { AppLink } from '../components/nav/app-link';

// The export's 404.html; the helper serves it for unknown paths.
export default function NotFound() {
  return (
    <div className="mx-auto max-w-md py-24 text-center">
      <h1 className="text-2xl font-semibold">Nothing here</h1>
      <p className="mt-2 text-neutral-600 dark:text-neutral-400">This page does not exist in OpenUTM.</p>
      <AppLink href="/" className="mt-6 inline-block rounded-lg bg-sky-700 px-4 py-2 font-medium text-white hover:bg-sky-800">
        Go to the library
      </AppLink>
    </div>
  );
}
