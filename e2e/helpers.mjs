// What every suite of the end-to-end test does with the window: find, type, click, wait, sign
// in, pick members, slots and classes in the concierge drawer, and see rows in All Bookings.
import { Keys, poll } from "./webdriver.mjs";

export const log = (...args) => console.log("[e2e]", ...args);

export function expect(actual, wanted, what) {
  if (actual !== wanted) throw new Error(`${what}: expected ${JSON.stringify(wanted)}, got ${JSON.stringify(actual)}`);
}

/** A date `days` from today as YYYY-MM-DD (local time, like the app's date inputs). */
export function isoDay(days) {
  const now = new Date();
  const d = new Date(now.getFullYear(), now.getMonth(), now.getDate() + days);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

/** Helpers bound to the current WebDriver session (`current()` may change when the app restarts). */
export function helpers(current) {
  const s = () => current();
  const textOf = async (css) => s().text(await s().find(css));
  const waitText = (css, test, what, ms = 20_000) =>
    poll(async () => {
      const t = await textOf(css);
      return test(t) ? t : false;
    }, ms, what);
  // The same on the page's text (textContent): for text read by screen readers only, such as the
  // drawer's full slot labels, which WebDriver's visible text leaves out.
  const waitContent = (css, test, what, ms = 20_000) =>
    poll(async () => {
      const t = await s().execute(`return document.querySelector(arguments[0])?.textContent ?? null;`, [css]);
      return t !== null && test(t) ? t : false;
    }, ms, what);
  const click = async (css) => s().click(await s().waitFor(css, 15_000));
  const inPage = (body, args = []) => s().execute(body, args);

  // Calls a command through Tauri's IPC from the page: used only to pick test data (members with
  // unlimited recovery, a bookable day), never for the flows under test.
  const invoke = (command, args) =>
    s().executeAsync(
      `const done = arguments[arguments.length - 1];
       window.__TAURI_INTERNALS__.invoke(arguments[0], arguments[1]).then((v) => done({ ok: v }), (e) => done({ err: e }));`,
      [command, args],
    ).then((r) => {
      if (r && "err" in r) throw new Error(`${command}: ${JSON.stringify(r.err)}`);
      return r.ok;
    });

  const signInWith = async (emailPrefix, name) => {
    await s().waitFor("#sign-in-heading", 30_000);
    await click(`[data-testid=demo-staff-row] button[data-email^="${emailPrefix}"]`);
    const pin = await s().find("#sign-in-pin");
    if (!(await s().property(pin, "value"))) throw new Error("the demo row did not fill the PIN");
    await s().type(pin, Keys.ENTER);
    await waitText("[data-testid=staff-name]", (t) => t === name, `signed in as ${name}`, 30_000);
  };

  // Signs in by typing (a club database shows no PINs).
  const signInTyped = async (email, pin, name) => {
    const input = await s().waitFor("#sign-in-email", 30_000);
    await s().clear(input);
    await s().type(input, email);
    await s().type(await s().find("#sign-in-pin"), `${pin}${Keys.ENTER}`);
    await waitText("[data-testid=staff-name]", (t) => t === name, `signed in as ${name}`, 30_000);
  };

  // The bookings row's action (cancel, attended, no_show), confirmed; waits for the new status.
  const rowAction = async (id, action, statusText) => {
    const row = `tr[data-booking-id="${id}"]`;
    await click(`${row} button[data-action=${action}]`);
    await click(`${row} [data-testid=confirm-yes]`);
    await waitText(`${row} .pill`, (t) => t === statusText, `booking ${id} ${statusText}`);
  };

  const bannerShown = async () => (await s().findAll("[data-testid=connection-banner]")).length > 0;

  const openTab = async (label) => {
    const tabs = await s().findAll(".tab");
    for (const tab of tabs) if ((await s().text(tab)) === label) return s().click(tab);
    throw new Error(`no tab ${label}`);
  };

  // Types into a member search box and opens the wanted member with the keyboard.
  const chooseMember = async (inputCss, member) => {
    const input = await s().waitFor(inputCss);
    await s().clear(input);
    await s().type(input, `${member.first_name} ${member.last_name}`);
    const listCss = `${inputCss}-results`;
    const index = await poll(async () => {
      const ids = await inPage(`return [...document.querySelectorAll(arguments[0] + " [role=option]")].map((o) => o.dataset.memberId);`, [listCss]);
      const i = ids.indexOf(member.member_id);
      return i >= 0 ? i + 1 : false;
    }, 20_000, `${member.first_name} ${member.last_name} in the results`);
    // Down to the member: from the first hit, or from none when the first hits are namesakes.
    const highlighted = () => inPage(`return document.querySelector(arguments[0] + " [aria-selected=true]")?.dataset.memberId ?? null;`, [listCss]);
    for (let i = 0; i <= index && (await highlighted()) !== member.member_id; i++) await s().type(input, Keys.ARROW_DOWN);
    expect(await highlighted(), member.member_id, "highlighted result");
    await s().type(input, Keys.ENTER);
  };

  // Opens the drawer with Ctrl+N (falls back to the button only if the key never arrives).
  const openDrawer = async () => {
    const target = await s().find("#f-member");
    await s().type(target, `${Keys.CONTROL}n${Keys.NULL}`);
    const opened = await poll(async () => (await s().findAll("[data-testid=concierge]")).length > 0, 3_000, "drawer by Ctrl+N").catch(() => false);
    if (!opened) {
      log("Ctrl+N did not open the drawer; using the New Booking button");
      await click("[data-testid=new-booking]");
    }
    await s().waitFor("[data-testid=concierge]");
  };

  // Sets a date input (by id) as a pick from its calendar would: the value, then a change event.
  const setDate = (id, day) =>
    inPage(`const d = document.getElementById(arguments[0]); d.value = arguments[1]; d.dispatchEvent(new Event("change"));`, [id, day]);
  const setDrawerDay = (day) => setDate("drawer-date", day);

  // Picks the slot or class by its label (or the label's start, e.g. a class title); waits for the list to show it, returns its availability text.
  const pickSlot = async (label) => {
    const found = await poll(
      () =>
        inPage(
          `const rows = [...document.querySelectorAll("[data-testid=drawer-choice]")];
           const label = (r) => r.querySelector(".choice-label").textContent;
           const row = rows.find((r) => label(r) === arguments[0] || label(r).startsWith(arguments[0] + " · "));
           if (!row) return null;
           for (const r of rows) delete r.dataset.e2ePick;
           row.dataset.e2ePick = "1";
           row.scrollIntoView({ block: "center" }); // the list scrolls inside the drawer
           return row.querySelector(".choice-places").textContent;`,
          [label],
        ),
      20_000,
      `slot ${label} in the drawer`,
    );
    await s().click(await s().find("[data-e2e-pick]"));
    return found;
  };

  const confirmBooking = async () => {
    await click("[data-testid=drawer-confirm]");
    const text = await waitText("[data-testid=drawer-result]", (t) => t !== "" && !t.startsWith("Booking"), "the booking result", 30_000);
    const id = await inPage(`return document.querySelector("[data-testid=drawer-result]").dataset.bookingId ?? null;`);
    return { text, id };
  };

  const closeDrawer = async () => {
    await s().type(await s().find("#drawer-confirm, [data-testid=drawer-confirm]"), Keys.ESCAPE);
    await poll(async () => (await s().findAll("[data-testid=concierge]")).length === 0, 5_000, "the drawer to close on Esc");
  };

  // A row's text as the page holds it: WebDriver's visible-text rules skip cells that are cut
  // to one line (overflow hidden), though they are on screen.
  const rowText = (id) => inPage(`return document.querySelector('tr[data-booking-id="' + arguments[0] + '"]').textContent;`, [id]);

  const rowShown = (id) => poll(async () => (await s().findAll(`tr[data-booking-id="${id}"]`)).length > 0, 15_000, `booking ${id} in All Bookings`);


  return { s, textOf, waitText, click, inPage, invoke, signInWith, signInTyped, rowAction, bannerShown, openTab, chooseMember, openDrawer, setDate, setDrawerDay, pickSlot, confirmBooking, closeDrawer, rowShown, rowText, waitContent };
}
