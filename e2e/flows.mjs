// The desk's flows through the real window, on a fresh embedded demo database: first run
// ("Use the demo database") → sign in with a shown demo PIN → search a member → concierge
// booking of a recovery slot → it shows in All Bookings; then the slot made full is refused
// without override and accepted, signed in as the manager, with override and a reason.
import { writeFileSync } from "node:fs";
import { Keys, poll } from "./webdriver.mjs";
import { expect, helpers, log } from "./helpers.mjs";

export { expect };

/** Steps as [name, fn] for desk.e2e.mjs; `current()` is the WebDriver session, `shot(name)` saves a screenshot. */
export function deskSteps(current, shot) {
  const ctx = { members: [], day: null, slotLabel: null, bookings: [] };
  const h = helpers(current);
  const { s, waitText, click, inPage, invoke, signInWith, openTab, chooseMember, openDrawer, pickSlot, confirmBooking, closeDrawer, rowShown } = h;
  const setDrawerDay = () => h.setDrawerDay(ctx.day);
  return [
    [
      "first run opens the demo database: badge, sign-in, demo staff with their PINs",
      async () => {
        const title = await s().waitFor("[data-testid=app-title]");
        expect(await s().text(title), "Branch Desk", "app bar title");
        expect(await s().title(), "Branch Desk", "document title");
        await s().waitFor("#sign-in-heading", 240_000);
        const badge = await s().waitFor("[data-testid=demo-badge]");
        await s().waitFor("[data-testid=first-run]"); // and the offer to connect to the club database
        expect(await s().text(badge), "Demo database", "demo badge");
        const pins = await inPage(`return [...document.querySelectorAll(".demo-pin")].map((e) => e.textContent);`);
        if (pins.length < 2) throw new Error(`expected the demo PINs, got ${JSON.stringify(pins)}`);
        await poll(async () => !(await s().property(await s().find("#quick-switch"), "disabled")), 10_000, "quick switch list");
        await shot("01-sign-in");
      },
    ],
    [
      "a wrong PIN is refused with the shell's message",
      async () => {
        await s().type(await s().find("#sign-in-email"), "frank.desk.ldn@branchdesk.example");
        await s().type(await s().find("#sign-in-pin"), `0000${Keys.ENTER}`);
        const text = await waitText("[data-testid=sign-in-status]", (t) => t !== "", "sign-in error");
        log(`wrong PIN says: ${text}`);
      },
    ],
    [
      "sign in as front desk with a shown demo PIN",
      async () => {
        await signInWith("frank.desk", "Frank Ellis");
        await s().waitFor("#member-search");
        const focused = await s().activeElement();
        expect(focused, await s().find("#member-search"), "focus on member search");
      },
    ],
    [
      "connection settings offer the club database (TLS, CA file, branch) or the demo database",
      async () => {
        await click(".tab-settings");
        await s().waitFor("#setup-heading", 10_000);
        await s().waitFor("#setup-tls");
        await s().waitFor("[data-testid=use-demo]");
        await shot("02-connection-settings");
        await click("[data-testid=setup-cancel]");
        await s().waitFor("#member-search", 10_000);
      },
    ],
    [
      "pick test members (active, unlimited recovery) and a bookable day",
      async () => {
        await s().setScriptTimeout(60_000);
        const now = new Date();
        for (let i = 1; i <= 8 && !ctx.day; i++) {
          const d = new Date(now.getFullYear(), now.getMonth(), now.getDate() + i);
          if (d.getDay() !== 0) ctx.day = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
        }
        for (const name of ["Olivia", "Liam", "Noah", "Mia", "Grace", "Leo", "Ruby", "Oscar", "Zoe", "Arthur", "Chloe", "Henry"]) {
          const hits = await invoke("search_members", { query: name });
          for (const hit of hits) {
            if (ctx.members.length >= 3) break;
            if (hit.status !== "active" || ctx.members.some((m) => m.member_id === hit.member_id)) continue;
            const panel = await invoke("get_member_panel", { memberId: hit.member_id });
            const recovery = panel.entitlements.find((e) => e.kind === "recovery");
            if (recovery?.included && recovery.allowance === null) ctx.members.push(hit);
          }
          if (ctx.members.length >= 3) break;
        }
        if (ctx.members.length < 3) throw new Error(`found only ${ctx.members.length} members with unlimited recovery`);
        log(`members: ${ctx.members.map((m) => `${m.first_name} ${m.last_name}`).join(", ")}; day ${ctx.day}`);
      },
    ],
    [
      "member search as you type, arrows and Enter open the member panel",
      async () => {
        const [a] = ctx.members;
        await chooseMember("#member-search", a);
        await waitText("[data-testid=member-name]", (t) => t === `${a.first_name} ${a.last_name}`, "member panel name");
        await s().waitFor("[data-testid=entitlements]");
        await shot("03-member-panel");
      },
    ],
    [
      "concierge booking of a recovery slot from the member panel",
      async () => {
        await click("[data-testid=book-for-member]");
        await s().waitFor("[data-testid=concierge]");
        await setDrawerDay();
        ctx.slotLabel = await poll(
          () =>
            inPage(`const row = [...document.querySelectorAll("[data-testid=drawer-choice]")]
              .find((r) => r.textContent.includes("Cold Plunge") && r.querySelector(".choice-places").textContent === "2 places left");
              return row ? row.querySelector(".choice-label").textContent : null;`),
          20_000,
          "an empty Cold Plunge slot",
        );
        log(`slot: ${ctx.slotLabel} on ${ctx.day}`);
        expect(await pickSlot(ctx.slotLabel), "2 places left", "places before booking");
        await shot("04-concierge-drawer");
        const { text, id } = await confirmBooking();
        if (!text.startsWith("Booked")) throw new Error(`booking failed: ${text}`);
        ctx.bookings.push(id);
        await shot("05-concierge-booked");
        await closeDrawer();
      },
    ],
    [
      "the booking shows in All Bookings",
      async () => {
        await openTab("All Bookings");
        await s().waitFor("[data-testid=bookings-table]");
        await chooseMember("#f-member", ctx.members[0]);
        await rowShown(ctx.bookings[0]);
        const row = await s().text(await s().find(`tr[data-booking-id="${ctx.bookings[0]}"]`));
        if (!row.includes("Cold Plunge") || !row.includes("Booked")) throw new Error(`row reads ${row}`);
        await shot("06-all-bookings");
      },
    ],
    [
      "a second member takes the last place (Ctrl+N) and the list refreshes at once",
      async () => {
        const b = ctx.members[1];
        await chooseMember("#f-member", b);
        await waitText("[data-testid=member-filter]", (t) => t.includes(b.last_name), "member filter chip");
        await openDrawer();
        await chooseMember("#drawer-member-search", b);
        await waitText("[data-testid=drawer-member]", (t) => t.includes(b.last_name), "drawer member");
        await setDrawerDay();
        expect(await pickSlot(ctx.slotLabel), "1 place left", "places before the second booking");
        const { text, id } = await confirmBooking();
        if (!text.startsWith("Booked")) throw new Error(`second booking failed: ${text}`);
        ctx.bookings.push(id);
        await closeDrawer();
        await rowShown(id); // no Apply pressed: the drawer's success refreshed the list
      },
    ],
    [
      "the full slot is refused without override (front desk cannot override)",
      async () => {
        const c = ctx.members[2];
        await openDrawer();
        await chooseMember("#drawer-member-search", c);
        await setDrawerDay();
        expect(await pickSlot(ctx.slotLabel), "Full: 2 of 2 booked", "the slot shows as full");
        const { text } = await confirmBooking();
        expect(text, "Full: 2 of 2 booked", "refusal in staff words");
        expect(await s().property(await s().find("[data-testid=override-capacity]"), "disabled"), true, "override disabled for front desk");
        await shot("07-full-refused");
        await closeDrawer();
      },
    ],
    [
      "signed in as the manager, the override with a reason is accepted",
      async () => {
        await click("[data-testid=sign-out]");
        await signInWith("maya.manager", "Maya Okafor");
        await openTab("All Bookings");
        await s().waitFor("[data-testid=bookings-table]");
        const c = ctx.members[2];
        await chooseMember("#f-member", c);
        await openDrawer();
        await chooseMember("#drawer-member-search", c);
        await setDrawerDay();
        await pickSlot(ctx.slotLabel);
        await click("[data-testid=override-capacity]");
        await s().waitFor("#drawer-reason");
        let { text } = await confirmBooking();
        expect(text, "Give a reason for the override.", "reason required");
        await s().type(await s().find("#drawer-reason"), "Physio referral, approved by manager");
        await shot("08-override-with-reason");
        const done = await confirmBooking();
        text = done.text;
        if (!text.startsWith("Booked")) throw new Error(`override booking failed: ${text}`);
        await closeDrawer();
        await rowShown(done.id);
        const row = await s().text(await s().find(`tr[data-booking-id="${done.id}"]`));
        if (!row.includes("Physio referral")) throw new Error(`override reason not in the row: ${row}`);
        // The installer's upgrade test looks for this booking after installing the next version.
        if (process.env.E2E_STATE_FILE) writeFileSync(process.env.E2E_STATE_FILE, JSON.stringify({ member: c, booking: done.id }));
        await shot("09-override-accepted");
      },
    ],
    [
      "the recovery schedule shows the week, the over-full slot and maintenance",
      async () => {
        await openTab("Recovery schedule");
        await s().waitFor("[data-testid=facility]", 30_000);
        await poll(async () => (await s().findAll("[data-testid=maintenance]")).length > 0, 10_000, "a facility under maintenance");
        await shot("10-recovery-schedule");
      },
    ],
  ];
}
