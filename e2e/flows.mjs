// The desk's flows through the real window, on a fresh embedded demo database: first run
// ("Use the demo database") → sign in with a shown demo PIN → search a member → concierge
// booking of a recovery slot → it shows in All Bookings; then the slot made full is refused
// without override and accepted, signed in as the manager, with override and a reason.
import { writeFileSync } from "node:fs";
import { Keys, poll } from "./webdriver.mjs";
import { expect, helpers, isoDay, log } from "./helpers.mjs";

export { expect };

/** Keys sent to whatever has the focus, each counted as staff would press them (`count`). */
function keyCounter(s) {
  let n = 0;
  return {
    press: async (text, count) => {
      n += count;
      await s().type(await s().activeElement(), text);
    },
    keys: () => n,
  };
}

/** Steps as [name, fn] for desk.e2e.mjs; `current()` is the WebDriver session, `shot(name)` saves a screenshot. */
export function deskSteps(current, shot) {
  const ctx = { members: [], day: null, slotLabel: null, bookings: [] };
  const h = helpers(current);
  const { s, textOf, waitText, waitContent, click, inPage, invoke, signInWith, openTab, chooseMember, openDrawer, pickSlot, confirmBooking, closeDrawer, rowShown, rowText } = h;
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
            if (ctx.members.length >= 4) break;
            if (hit.status !== "active" || ctx.members.some((m) => m.member_id === hit.member_id)) continue;
            const panel = await invoke("get_member_panel", { memberId: hit.member_id });
            const recovery = panel.entitlements.find((e) => e.kind === "recovery");
            if (recovery?.included && recovery.allowance === null) ctx.members.push(hit);
          }
          if (ctx.members.length >= 4) break;
        }
        if (ctx.members.length < 4) throw new Error(`found only ${ctx.members.length} members with unlimited recovery`);
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
        const row = await rowText(ctx.bookings[0]);
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
        expect(text, "Full: 2 of 2 booked. Choose another time (↑/↓, or type it) or facility (←/→), or ask a manager to override.", "refusal in staff words, with what to do next");
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
        const row = await rowText(done.id);
        if (!row.includes("Physio referral")) throw new Error(`override reason not in the row: ${row}`);
        // The installer's upgrade test looks for this booking after installing the next version.
        if (process.env.E2E_STATE_FILE) writeFileSync(process.env.E2E_STATE_FILE, JSON.stringify({ member: c, booking: done.id }));
        await shot("09-override-accepted");
      },
    ],
    [
      "by keys alone (counted): find a member by name and book a recovery slot tomorrow at a given time, at most 20 keys",
      async () => {
        const m = ctx.members[3];
        const tomorrow = isoDay(1);
        // The target: tomorrow's first free Sauna slot of an hour from 17:00, so that typing the
        // hour reaches it; and where the Sauna's column is among the day's open facilities.
        const sched = await invoke("week_schedule", { start: tomorrow });
        const open = sched.facilities.filter((f) => f.is_active && !f.under_maintenance);
        const day = sched.slots.filter((x) => x.local_date === tomorrow && Date.parse(x.starts_at) > Date.now());
        const columns = open.filter((f) => day.some((x) => x.facility_id === f.id)).map((f) => f.name).sort((a, b) => a.localeCompare(b));
        const sauna = open.find((f) => f.name === "Sauna");
        const saunaSlots = day.filter((x) => x.facility_id === sauna.id).sort((a, b) => a.starts_at.localeCompare(b.starts_at));
        const target = saunaSlots.find((x, i) => x.local_start >= "17:00" && x.booked_count < x.capacity && saunaSlots.findIndex((y) => y.local_start.slice(0, 2) === x.local_start.slice(0, 2)) === i);
        if (!target) throw new Error(`no free Sauna slot tomorrow from 17:00 (${tomorrow})`);
        const hour = target.local_start.slice(0, 2);
        const wanted = `Sauna · ${target.local_start.slice(0, 5)}–${target.local_end.slice(0, 5)}`;
        const top = (await invoke("search_members", { query: m.last_name }))[0];
        const query = top?.member_id === m.member_id ? m.last_name : `${m.first_name} ${m.last_name}`;
        log(`task: ${m.first_name} ${m.last_name} (typed "${query}"), ${wanted} on ${tomorrow}; columns ${columns.join(", ")}`);

        await openTab("Members");
        await s().waitFor("#member-search");
        expect(await s().activeElement(), await s().find("#member-search"), "the member search has the focus");
        const { press, keys } = keyCounter(s);
        await press(query, [...query].length);
        const ids = () => inPage(`return [...document.querySelectorAll("#member-search-results [role=option]")].map((o) => o.dataset.memberId);`);
        await poll(async () => (await ids()).includes(m.member_id), 20_000, "the member in the results");
        // Namesakes on top highlight nothing: the arrows pick (and count).
        const highlighted = () => inPage(`return document.querySelector("#member-search-results [aria-selected=true]")?.dataset.memberId ?? null;`);
        for (let i = 0; i < 20 && (await highlighted()) !== m.member_id; i++) await press(Keys.ARROW_DOWN, 1);
        await press(Keys.ENTER, 1);
        await waitText("[data-testid=member-name]", (t) => t === `${m.first_name} ${m.last_name}`, "member panel");
        await press(`${Keys.CONTROL}n${Keys.NULL}`, 1);
        await s().waitFor("[data-testid=concierge]");
        await waitText("[data-testid=drawer-member]", (t) => t.includes(m.last_name), "the drawer opened for the member on screen");
        expect(await inPage(`return document.activeElement?.id;`), "drawer-choices", "the drawer's focus is in the slot list");
        const relative = await textOf(".day-relative");
        if (relative !== "Tomorrow") await press(relative === "Today" ? "+" : "T+", relative === "Today" ? 1 : 2);
        await waitText(".day-relative", (t) => t === "Tomorrow", "tomorrow in the drawer");
        // On a US-locale PC (navigator.language en-US), a London branch's day still reads day first.
        const [y, mo, d] = tomorrow.split("-");
        const language = await inPage("return navigator.language;");
        const wantedLanguage = (process.env.E2E_LOCALE ?? "en_US.UTF-8").split(".")[0].replace("_", "-").toLowerCase();
        expect(language.toLowerCase(), wantedLanguage, "the app runs under the PC locale E2E_LOCALE");
        const shown = await inPage(`return document.getElementById("drawer-date").value;`);
        if (!shown.endsWith(` ${d}/${mo}/${y}`)) throw new Error(`the drawer's day reads ${shown}, not ${d}/${mo}/${y}`);
        await poll(async () => (await s().findAll("[data-testid=drawer-choice]")).length > 0, 20_000, "tomorrow's slots");
        const arrows = columns.indexOf("Sauna");
        if (arrows > 0) await press(Keys.ARROW_RIGHT.repeat(arrows), arrows);
        await press(hour, 2);
        await waitContent("[role=option][aria-selected=true] .choice-label", (t) => t === wanted, "the wanted slot selected", 5_000);
        await shot("14-keys-slot-selected");
        await press(Keys.ENTER, 1);
        const text = await waitText("[data-testid=drawer-result]", (t) => t !== "" && !t.startsWith("Booking"), "the booking result", 30_000);
        if (!text.startsWith(`Booked: ${m.first_name} ${m.last_name}, Sauna, `)) throw new Error(`booking by keys failed: ${text}`);
        expect(await inPage(`return document.activeElement?.dataset.testid;`), "drawer-result", "the focus is on the announced result");
        await shot("15-keys-booked");
        log(`booked ${wanted} tomorrow with ${keys()} keys`);
        if (keys() > 20) throw new Error(`took ${keys()} keys; the target is at most 20`);
        await s().type(await s().activeElement(), Keys.ESCAPE);
        await poll(async () => (await s().findAll("[data-testid=concierge]")).length === 0, 5_000, "the drawer to close on Esc");
        expect(await s().activeElement(), await s().find("#member-search"), "back in the member search");
      },
    ],
    [
      "by keys alone (counted), at 1024×768: book a class for the open member, at most 12 keys",
      async () => {
        await s().setWindowRect(1024, 768);
        const m = ctx.members[3];
        // The first class not yet started today, else tomorrow, that has a place.
        let dayOffset = 0;
        let index = -1;
        for (; dayOffset <= 1 && index < 0; dayOffset++) {
          const classes = (await invoke("upcoming_classes", { from: isoDay(dayOffset), days: 1 })).filter((c) => Date.parse(c.starts_at) > Date.now() + 60_000);
          index = classes.findIndex((c) => c.booked_count < c.capacity);
          if (index >= 0) ctx.keyClass = classes[index];
        }
        dayOffset -= 1;
        if (index < 0) throw new Error("no class with a place today or tomorrow");
        log(`task: ${ctx.keyClass.title} (${dayOffset ? "tomorrow" : "today"}, row ${index + 1}) for ${m.first_name} ${m.last_name}`);
        await waitText("[data-testid=member-name]", (t) => t === `${m.first_name} ${m.last_name}`, "the member still open");
        const { press, keys } = keyCounter(s);
        await press(`${Keys.CONTROL}n${Keys.NULL}`, 1);
        await s().waitFor("[data-testid=concierge]");
        await waitText("[data-testid=drawer-member]", (t) => t.includes(m.last_name), "the drawer opened for the member on screen");
        await press("c", 1);
        const relative = await textOf(".day-relative");
        const want = dayOffset ? "Tomorrow" : "Today";
        if (relative !== want) await press(dayOffset ? "T+" : "T", dayOffset ? 2 : 1);
        await waitText(".day-relative", (t) => t === want, `${want} in the drawer`);
        await poll(async () => (await inPage(`return [...document.querySelectorAll("[data-testid=drawer-choice] .choice-label")].map((e) => e.textContent);`)).some((t) => t.startsWith(`${ctx.keyClass.title} · `)), 20_000, "the day's classes");
        await press(Keys.ARROW_DOWN.repeat(index + 1), index + 1);
        await waitContent("[role=option][aria-selected=true] .choice-label", (t) => t.startsWith(`${ctx.keyClass.title} · `), "the class selected", 5_000);
        await shot("16-keys-class-1024");
        await press(Keys.ENTER, 1);
        const text = await waitText("[data-testid=drawer-result]", (t) => t !== "" && !t.startsWith("Booking"), "the booking result", 30_000);
        if (!/^(Booked|On the waitlist): /.test(text)) throw new Error(`class booking by keys failed: ${text}`);
        await shot("17-keys-class-booked-1024");
        log(`booked ${ctx.keyClass.title} with ${keys()} keys`);
        if (keys() > 12) throw new Error(`took ${keys()} keys; the target is at most 12`);
        await s().type(await s().activeElement(), Keys.ESCAPE);
        await poll(async () => (await s().findAll("[data-testid=concierge]")).length === 0, 5_000, "the drawer to close on Esc");
        await s().setWindowRect(1366, 768);
      },
    ],
    [
      "by keys alone (counted): check in a booking of today from All Bookings, at most 6 keys",
      async () => {
        // Set-up, not counted: All Bookings without the member filter an earlier step left.
        await openTab("All Bookings");
        await s().waitFor("[data-testid=bookings-table]");
        for (const clear of await s().findAll("[data-testid=member-filter] button")) await s().click(clear);
        await openTab("Members");
        await s().waitFor("#member-search");
        expect(await s().activeElement(), await s().find("#member-search"), "the member search has the focus");
        const { press, keys } = keyCounter(s);
        await press(`${Keys.CONTROL}3${Keys.NULL}`, 1);
        await s().waitFor("[data-testid=bookings-table]");
        const target = await poll(
          () =>
            inPage(`const b = document.activeElement;
              if (!b || b.dataset.action !== "attended") return null;
              const row = b.closest("tr");
              let h = row.previousElementSibling;
              while (h && !h.classList.contains("day-heading")) h = h.previousElementSibling;
              return { id: row.dataset.bookingId, day: h ? h.textContent : "", text: row.textContent };`),
          20_000,
          "the first row's Check in has the focus",
        );
        if (!target.day.endsWith("· today")) throw new Error(`the first booking to check in is not today's: ${target.day} ${target.text}`);
        await shot("18-keys-all-bookings");
        await press(Keys.ENTER, 1);
        await s().waitFor(`tr[data-booking-id="${target.id}"] [data-testid=confirm-yes]`);
        expect(await inPage("return document.activeElement?.dataset.testid;"), "confirm-yes", "the confirm has the focus");
        await press(Keys.ENTER, 1);
        await waitText(`tr[data-booking-id="${target.id}"] .pill`, (t) => t === "Attended", "the booking checked in");
        await shot("19-keys-checked-in");
        log(`checked in ${target.text} with ${keys()} keys`);
        if (keys() > 6) throw new Error(`took ${keys()} keys; the target is at most 6`);
      },
    ],
    [
      "by keys alone (counted): open next week's schedule and book its busiest slot with a place, at most 8 keys",
      async () => {
        const m = ctx.members[3];
        await openTab("Members");
        await waitText("[data-testid=member-name]", (t) => t === `${m.first_name} ${m.last_name}`, "the member opened last is on screen again");
        await s().click(await s().find("#member-search")); // set-up: the member search has the focus
        // The slot the desk should land on, worked out here from the week's data.
        const today = isoDay(0);
        const weekday = (new Date(`${today}T12:00:00Z`).getUTCDay() + 6) % 7;
        const nextMonday = isoDay(7 - weekday);
        const week = await invoke("week_schedule", { start: nextMonday });
        const open = new Set(week.facilities.filter((f) => f.is_active && !f.under_maintenance).map((f) => f.id));
        const free = week.slots.filter((x) => open.has(x.facility_id) && x.booked_count < x.capacity && Date.parse(x.starts_at) > Date.now());
        const share = (x) => x.booked_count / x.capacity;
        const best = free.reduce((a, x) => (!a || share(x) > share(a) || (share(x) === share(a) && x.starts_at < a.starts_at) ? x : a), null);
        if (!best) throw new Error("next week has no slot with a place");
        const facility = week.facilities.find((f) => f.id === best.facility_id).name;
        const wanted = `${facility} · ${best.local_start.slice(0, 5)}–${best.local_end.slice(0, 5)}`;
        log(`task: ${wanted} on ${best.local_date} (${best.booked_count} of ${best.capacity}) for ${m.first_name} ${m.last_name}`);

        const { press, keys } = keyCounter(s);
        await press(`${Keys.CONTROL}2${Keys.NULL}`, 1);
        await poll(async () => (await inPage("return document.activeElement?.dataset.testid;")) === "heat-slot", 20_000, "the schedule's grid has the focus");
        await press(Keys.PAGE_DOWN, 1);
        await waitText("[data-testid=week-label]", (t) => t.length > 0, "the week label");
        await poll(async () => (await inPage(`return document.querySelector('[data-slot-id="${best.id}"]') !== null && document.activeElement?.dataset.testid === "heat-slot";`)), 20_000, "next week in the grid, with the focus");
        await shot("20-keys-next-week");
        await press("b", 1);
        expect(await inPage("return document.activeElement?.dataset.slotId;"), best.id, "B went to the busiest slot with a place");
        await press(Keys.ENTER, 1);
        await s().waitFor("[data-testid=concierge]");
        await waitText("[data-testid=drawer-member]", (t) => t.includes(m.last_name), "the drawer opened for the member");
        await waitContent("[role=option][aria-selected=true] .choice-label", (t) => t === wanted, "the slot selected in the drawer", 20_000);
        await shot("21-keys-busiest-in-drawer");
        await press(Keys.ENTER, 1);
        const text = await waitText("[data-testid=drawer-result]", (t) => t !== "" && !t.startsWith("Booking"), "the booking result", 30_000);
        if (!text.startsWith(`Booked: ${m.first_name} ${m.last_name}, ${facility}, `)) throw new Error(`booking the busiest slot failed: ${text}`);
        await shot("22-keys-busiest-booked");
        log(`booked next week's busiest slot with ${keys()} keys`);
        if (keys() > 8) throw new Error(`took ${keys()} keys; the target is at most 8`);
        await s().type(await s().activeElement(), Keys.ESCAPE);
        await poll(async () => (await s().findAll("[data-testid=concierge]")).length === 0, 5_000, "the drawer to close on Esc");
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
