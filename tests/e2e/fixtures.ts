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
