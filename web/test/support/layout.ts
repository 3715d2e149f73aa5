import type { Locator, Page } from 'playwright-core';

// Whether the page scrolls sideways, and if so the elements sticking out past the window's
// right edge (tag#id.class, first few), so a failure names what to fix.
export async function sidewaysOverflow(page: Page): Promise<{ scrollWidth: number; clientWidth: number; culprits: string[] }> {
  return page.evaluate(() => {
    const root = document.documentElement;
    const width = root.clientWidth;
    const culprits: string[] = [];
    for (const el of Array.from(document.body.querySelectorAll<HTMLElement>('*'))) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.right <= width + 0.5) continue;
      // Only the outermost of a sticking-out branch, with how far it reaches.
      if (el.parentElement && el.parentElement.getBoundingClientRect().right > width + 0.5) continue;
      culprits.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${String(el.className).split(' ').slice(0, 3).join('.')} → ${Math.round(box.right)}px`);
      if (culprits.length >= 5) break;
    }
    return { scrollWidth: Math.max(root.scrollWidth, document.body.scrollWidth), clientWidth: width, culprits };
  });
}

// Whether a person can see and press the element now: inside the window and not covered.
export async function visibleInWindow(locator: Locator): Promise<boolean> {
  return locator.evaluate((el) => {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.top < 0 || box.left < 0 || box.bottom > window.innerHeight || box.right > window.innerWidth) return false;
    const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    return hit !== null && (hit === el || el.contains(hit));
  });
}

// Selects on the page whose chosen option's words do not fit the box (the browser cuts them):
// the text measured in the select's own font against its inner width less the arrow.
export async function clippedSelects(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    // Chromium draws the arrow in about this much room beside the padding (a select sized to its
    // widest option has exactly text + padding + this).
    const ARROW_PX = 18;
    const ctx = document.createElement('canvas').getContext('2d');
    if (ctx === null) throw new Error('no 2d canvas to measure text with');
    const cut: string[] = [];
    for (const el of Array.from(document.querySelectorAll<HTMLSelectElement>('main select'))) {
      if (el.offsetParent === null) continue;
      const style = getComputedStyle(el);
      ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
      const text = el.selectedOptions[0]?.text ?? '';
      const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - ARROW_PX;
      if (ctx.measureText(text).width > room) cut.push(`${el.name || el.id}: "${text}" (${Math.round(ctx.measureText(text).width)} > ${Math.round(room)} px)`);
    }
    return cut;
  });
}
