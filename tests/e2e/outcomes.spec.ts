import { expect, test } from './fixtures.ts';

// What went wrong, said in the app: the summary table's sentence under a run, the narration, the highlighted Python.
test.describe('deadlocks, errors and broken pools in the app', () => {
  test('a deadlock: never ends in the table, who holds what in its sentence and the narration, the stuck lines in the Python', async ({ page }) => {
    await page.goto('./?s=deadlock&view=tasks&m=1&t=0.22');
    await expect(page.getByTestId('narration')).toHaveText(/^threads at 0\.22 s: deadlock at 0\.\d\d s \(the program never ends\): alice → bob holds alice, waits for bob; bob → alice holds bob, waits for alice\.$/);
    const row = page.getByRole('row', { name: /^threads: ThreadPoolExecutor/ });
    await expect(row.getByRole('cell').first()).toHaveText('never ends');
    await expect(row.getByRole('cell').nth(1)).toHaveText('—');
    await expect(page.getByTestId('outcome-1')).toHaveText(/^Deadlock at 0\.\d\d s \(the program never ends\): alice → bob holds alice, waits for bob; bob → alice holds bob, waits for alice\.$/);
    // Only a run that ends can be the fastest: the sequential one, the only one that does.
    await expect(page.getByRole('row', { name: /^sequential: .* \(fastest\)/ })).toBeVisible();
    const on = page.locator('aside.code .line.on');
    await expect(on).toHaveText(['    bob.acquire()  ← alice → bob', '    alice.acquire()  ← bob → alice']);
  });

  test('a broken pool and the error main got first; in the threads model, the crash that killed the program', async ({ page }) => {
    await page.goto('./?s=errors-processes');
    await expect(page.getByTestId('outcome-1')).toContainText(/The pool broke at 0\.\d\d s: crashes's worker process died \(os\._exit\), and crashes, long and queued ended with BrokenProcessPool\.$/);
    await expect(page.getByTestId('outcome-1')).toContainText(/^ValueError reached the main program at 0\.\d\d s \(from raises\): pickled back/);
    await expect(page.getByTestId('outcome-0')).toContainText(/^os\._exit\(1\) in crashes killed the program at 0\.40 s: .*the ValueError that had reached the main thread is never printed\. raises raised ValueError; long died with the process\.$/);
    // The followed task's end says how it ended.
    await expect(page.getByRole('row', { name: /^processes/ }).getByRole('cell').nth(3)).toHaveText(/^0\.5\d s \(broken\)$/);
  });
});
