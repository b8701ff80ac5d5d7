import { readFileSync } from 'node:fs';
import { expect, test as base, type Page } from '@playwright/test';

/** Every test fails on a console error or an uncaught exception in the page. */
export const test = base.extend<{ page: Page }>({
  page: async ({ page }, use) => {
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await use(page);
    expect(errors, 'console errors').toEqual([]);
  },
});
export { expect };

export const clock = (page: Page) => page.getByTestId('clock');
export const seconds = async (page: Page) => parseFloat((await clock(page).getAttribute('data-time')) ?? 'NaN');

/** Chooses an item of the Export menu and returns the file it downloads: its name and bytes. */
export async function exported(page: Page, item: RegExp, timeout = 10_000) {
  await page.getByText('Export', { exact: true }).click();
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout }), page.getByRole('button', { name: item }).click()]);
  return { name: dl.suggestedFilename(), bytes: readFileSync((await dl.path())!) };
}

