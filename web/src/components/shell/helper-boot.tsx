'use client';

import { useEffect } from 'react';
import { helperConnect } from '../../helper-client/api';

// Starts the page's one helper connection after hydration; renders nothing.
export function HelperBoot() {
  useEffect(() => helperConnect(), []);
  return null;
}
