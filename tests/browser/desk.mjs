// A clerk at the desk of `yima serve`, in headless Chromium: opens the page,
// picks a filing, waits for its findings, downloads the marked workbook and
// the blank template into DOWNLOADS, and prints, as JSON, what the page
// showed (each finding as file|rule|cell), the verdict, the names of the
// downloads, and any script error.
//
//   node tests/browser/desk.mjs URL FILING DOWNLOADS [SCREENSHOT.png]
import { chromium } from "playwright-core";
import { join } from "node:path";
import { launch } from "./chromium.mjs";

const [url, filing, downloads, screenshot] = process.argv.slice(2);
const browser = await launch(chromium);
try {
  const page = await browser.newPage();
  await page.setViewportSize({ width: 1200, height: 1000 });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  await page.goto(url, { waitUntil: "load" });
  await page.setInputFiles("#files", filing);
  await page.waitForSelector("#result:not([hidden])", { timeout: 60000 });
  const findings = await page.$$eval("li.finding", (items) =>
    items.map((li) => li.dataset.file + "|" + li.dataset.rule + "|" + li.dataset.cell));
  const verdict = await page.textContent("#verdict");
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
  const [marked] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
  const download = marked.suggestedFilename();
  await marked.saveAs(join(downloads, download));
  const [blank] = await Promise.all([page.waitForEvent("download"), page.click("#template")]);
  const template = blank.suggestedFilename();
  await blank.saveAs(join(downloads, template));
  console.log(JSON.stringify({ findings, verdict, download, template, errors }));
} finally {
  await browser.close();
}
