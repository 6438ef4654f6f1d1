// Opens an HTML report of `yima check --format html` from file:// in headless
// Chromium and prints, as JSON: how long it took to load (navigation start to
// the end of the load event, as the page measured it), the findings and
// departments it shows, every request it made, and any script error.
//
//   node tests/browser/report.mjs REPORT.html [SCREENSHOT.png]
import { chromium } from "playwright-core";
import { launch } from "./chromium.mjs";

const [file, screenshot] = process.argv.slice(2);
const browser = await launch(chromium);
try {
  const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  const requests = [];
  const errors = [];
  page.on("request", (r) => requests.push(r.url()));
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  const started = Date.now();
  await page.goto("file://" + file, { waitUntil: "load" });
  const wall = Date.now() - started;
  const timing = await page.evaluate(() => {
    const [nav] = performance.getEntriesByType("navigation");
    return { load: nav.loadEventEnd - nav.startTime, dom: nav.domContentLoadedEventEnd - nav.startTime };
  });
  // Sorting by errors (the fifth column) puts the worst department first.
  await page.click("#depts th:nth-child(5)");
  await page.click("#depts th:nth-child(5)");
  const firstAfterSort = await page.$eval("#depts tbody tr", (r) => r.dataset.dept);
  const shown = await page.evaluate(() => ({
    findings: document.querySelectorAll("article.f").length,
    rows: document.querySelectorAll("article.f table.row").length,
    marked: document.querySelectorAll("article.f td.hit").length,
    departments: document.querySelectorAll("#depts tbody tr").length,
    totals: Object.fromEntries([...document.querySelectorAll("[data-total]")].map((b) => [b.dataset.total, Number(b.textContent)])),
    cells: [...document.querySelectorAll("article.f")].map((a) => a.dataset.file + "|" + a.dataset.rule + "|" + a.dataset.cell),
  }));
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: false });
  console.log(JSON.stringify({ wall, ...timing, ...shown, firstAfterSort, requests, errors }));
} finally {
  await browser.close();
}
