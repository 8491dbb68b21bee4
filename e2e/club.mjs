// The desk on a real club PostgreSQL, through the window: first run connects this desk to the
// club database from the setup screen (a wrong password refused, Test, Save), staff sign in by
// typing, book a class on a member's behalf, fill it and put the next member on the waitlist,
// cancel (the waitlist moves up), check in, mark a no-show, export CSV; then the database goes
// away mid-booking (banner, automatic retry, the same confirm books once) and is down when the
// app starts (password kept in memory, banner, sign-in once it is back).
//
// Env (scripts/test-e2e.sh sets them): E2E_CLUB_URL (administrator URL of the club database, for
// test data and checks), E2E_CLUB_HOST, E2E_CLUB_PORT, E2E_CLUB_DATABASE, E2E_CLUB_ROLE,
// E2E_CLUB_PASSWORD (what staff type into the setup screen), E2E_PG_DIR (the cluster to stop and
// start), E2E_DOWNLOADS (where the app exports CSV); E2E_CLUB_DESK_PORT, when set, is the port the
// desk is given instead of the cluster's: PgBouncer's in front of it (the installer test).
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Keys, poll } from "./webdriver.mjs";
import { expect, helpers, isoDay, log } from "./helpers.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (scripts/test-e2e.sh sets it when E2E_SUITES includes club)`);
  return value;
};

/** Runs SQL as the club's administrator (test data and checks only); returns the parsed JSON. */
export function sql(query) {
  const out = execFileSync("psql", [env("E2E_CLUB_URL"), "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", query], { encoding: "utf8" });
  return out.trim() ? JSON.parse(out.trim()) : null;
}

/** Stops or starts the club's PostgreSQL (scripts/pg.sh). */
export function database(action) {
  const dir = env("E2E_PG_DIR");
  const call = action === "stop" ? `pg_stop "${dir}"` : `pg_start "${dir}" "${env("E2E_CLUB_PORT")}"`;
  execFileSync("bash", ["-c", `source "${root}/scripts/pg.sh" && ${call}`], { stdio: "inherit" });
  log(`club database ${action === "stop" ? "stopped" : "started"}`);
}

/** The port typed into the setup screen: PgBouncer's when the desk goes through it. */
const deskPort = () => process.env.E2E_CLUB_DESK_PORT || env("E2E_CLUB_PORT");

const STAFF = { email: "frank.desk.ldn@branchdesk.example", pin: "1357", name: "Frank Ellis" };

/** Steps as [name, fn]; `restart()` closes the app and opens it again (same settings and data). */
export function clubSteps(current, shot, restart) {
  const h = helpers(current);
  const { s, waitText, click, inPage, signInTyped, rowAction, bannerShown, openTab, chooseMember, openDrawer, pickSlot, confirmBooking, closeDrawer, rowShown, rowText } = h;
  const day = isoDay(1);
  const ctx = { members: [], bookings: {} };

  const fillSetup = async (password) => {
    const values = {
      host: env("E2E_CLUB_HOST"),
      port: deskPort(),
      database: env("E2E_CLUB_DATABASE"),
      desk_role: env("E2E_CLUB_ROLE"),
      password,
    };
    for (const [key, value] of Object.entries(values)) {
      const input = await s().find(`#setup-${key}`);
      await s().clear(input);
      await s().type(input, value);
    }
    await inPage(`const t = document.getElementById("setup-tls"); t.value = "disable"; t.dispatchEvent(new Event("change"));`);
  };

  const bookClass = async (member, title) => {
    await openDrawer();
    await chooseMember("#drawer-member-search", member);
    await click("#drawer-kind-class");
    await h.setDrawerDay(day);
    const places = await pickSlot(title);
    return { places, ...(await confirmBooking()) };
  };

  const filterMember = async (member) => {
    await chooseMember("#f-member", member);
    await waitText("[data-testid=member-filter]", (t) => t.includes(member.last_name), "member filter chip");
  };

  return [
    [
      "club test data: members with unlimited classes, two classes tomorrow, a past booking",
      async () => {
        ctx.members = sql(`select json_agg(t) from (
            select m.id as member_id, m.first_name, m.last_name
            from members m join branches b on b.id = m.home_branch_id and b.code = 'LDN'
            join plan_entitlements e on e.plan_id = m.plan_id and e.kind = 'class' and e.sessions_per_period is null
            where m.status = 'active'
            order by m.member_number limit 4) t`);
        if (!ctx.members || ctx.members.length < 4) throw new Error("the seeded club has too few members with unlimited classes");
        sql(`insert into classes (branch_id, title, instructor, starts_at, ends_at, capacity)
             select id, title, 'E2E', '${day}'::date + time '18:00' at time zone timezone,
                    '${day}'::date + time '18:45' at time zone timezone, capacity
             from branches, (values ('E2E Spin for one', 1), ('E2E Pilates', 10)) as c(title, capacity)
             where code = 'LDN'`);
        // A class that started an hour ago with a booking still open: the no-show case.
        const [m] = ctx.members;
        ctx.bookings.past = sql(`with c as (
              insert into classes (branch_id, title, instructor, starts_at, ends_at, capacity, booked_count)
              select id, 'E2E Early Yoga', 'E2E', now() - interval '1 hour', now() - interval '15 minutes', 10, 1
              from branches where code = 'LDN' returning id, branch_id, starts_at)
            insert into class_bookings (class_id, member_id, branch_id, starts_at, status, idempotency_key)
            select c.id, '${m.member_id}', c.branch_id, c.starts_at, 'booked', gen_random_uuid() from c
            returning to_json(id)`);
        log(`members: ${ctx.members.map((x) => `${x.first_name} ${x.last_name}`).join(", ")}`);
      },
    ],
    [
      "first run offers the club database; the setup screen refuses a wrong password, tests and saves",
      async () => {
        await s().waitFor("[data-testid=first-run]", 240_000);
        await click("[data-testid=open-setup]");
        await s().waitFor("#setup-heading", 10_000);
        await fillSetup("not-the-password");
        await click("[data-testid=setup-test]");
        const refused = await waitText("[data-testid=setup-status]", (t) => t !== "" && !t.startsWith("Testing"), "wrong password refused");
        expect(refused, "The database refused this desk role or password.", "wrong password message");
        await fillSetup(env("E2E_CLUB_PASSWORD"));
        await click("[data-testid=setup-test]");
        const tested = await waitText("[data-testid=setup-status]", (t) => t.startsWith("Connected"), "Test connection");
        expect(tested, `Connected as ${env("E2E_CLUB_ROLE")}: 1 branch visible.`, "test result");
        await shot("c01-setup-tested");
        await s().type(await s().find("#setup-password"), Keys.ENTER);
        await s().waitFor("#sign-in-heading", 30_000);
        await waitText(".notice", (t) => t.includes("memory only"), "no keyring: memory only");
        expect((await s().findAll("[data-testid=demo-badge]")).length, 0, "no demo badge on the club database");
        expect((await s().findAll(".demo-pin")).length, 0, "no PINs shown on the club database");
        await shot("c02-club-sign-in");
      },
    ],
    [
      "staff sign in by typing email and PIN; Settings shows the club database and its schema",
      async () => {
        await signInTyped(STAFF.email, STAFF.pin, STAFF.name);
        await waitText("[data-testid=branch-name]", (t) => t === "London Riverside", "the desk role's branch");
        await click(".tab-settings");
        const about = await waitText("[data-testid=about]", (t) => t !== "", "about line");
        if (!about.includes(`club database as ${env("E2E_CLUB_ROLE")}`) || !/schema \d{14}/.test(about)) throw new Error(`about reads ${about}`);
        const filled = await inPage(`return ["host", "port", "desk_role", "password"].map((k) => document.getElementById("setup-" + k).value);`);
        expect(JSON.stringify(filled), JSON.stringify([env("E2E_CLUB_HOST"), deskPort(), env("E2E_CLUB_ROLE"), ""]), "Settings opens with the saved connection, not its password");
        await click("[data-testid=setup-cancel]");
        await s().waitFor("#member-search", 10_000);
      },
    ],
    [
      "a class booked on a member's behalf shows in All Bookings",
      async () => {
        await openTab("All Bookings");
        await s().waitFor("[data-testid=bookings-table]");
        const [a] = ctx.members;
        await filterMember(a);
        const booked = await bookClass(a, "E2E Spin for one");
        expect(booked.places, "1 place left", "the class before booking");
        if (!booked.text.startsWith("Booked")) throw new Error(`class booking failed: ${booked.text}`);
        ctx.bookings.a = booked.id;
        await shot("c03-class-booked");
        await closeDrawer();
        await rowShown(booked.id);
        const row = await rowText(booked.id);
        if (!row.includes("E2E Spin for one") || !row.includes("Booked") || !row.includes(STAFF.name)) throw new Error(`row reads ${row}`);
      },
    ],
    [
      "the full class offers the waitlist; the next member joins it",
      async () => {
        const b = ctx.members[1];
        await filterMember(b);
        await openDrawer();
        await chooseMember("#drawer-member-search", b);
        await click("#drawer-kind-class");
        await h.setDrawerDay(day);
        expect(await pickSlot("E2E Spin for one"), "Full: 1 of 1 booked", "the class shows as full");
        await click("[data-testid=join-waitlist]");
        const { text, id } = await confirmBooking();
        if (!text.startsWith("On the waitlist")) throw new Error(`waitlist failed: ${text}`);
        ctx.bookings.b = id;
        await closeDrawer();
        await rowShown(id);
        await waitText(`tr[data-booking-id="${id}"] .pill`, (t) => t === "Waitlisted", "waitlisted row");
        await shot("c04-waitlisted");
      },
    ],
    [
      "cancelling the booking gives the place to the waitlist; check-in marks attended",
      async () => {
        await filterMember(ctx.members[0]);
        await rowShown(ctx.bookings.a);
        await rowAction(ctx.bookings.a, "cancel", "Cancelled");
        await waitText("[data-testid=bookings-status]", (t) => t.includes("waitlist now has the place"), "promotion said");
        await filterMember(ctx.members[1]);
        await rowShown(ctx.bookings.b);
        await waitText(`tr[data-booking-id="${ctx.bookings.b}"] .pill`, (t) => t === "Booked", "promoted from the waitlist");
        await rowAction(ctx.bookings.b, "attended", "Attended");
        const status = sql(`select to_json(status) from class_bookings where id = '${ctx.bookings.b}'`);
        expect(status, "attended", "status in the database");
      },
    ],
    [
      "a booking of a class that has started is marked as a no-show, then checked in late",
      async () => {
        await filterMember(ctx.members[0]);
        // The class started an hour ago, which is yesterday between midnight and one: start the
        // list a day back, as a desk would, so the step does not depend on the time it runs.
        await h.setDate("f-from", isoDay(-1));
        await rowShown(ctx.bookings.past);
        await rowAction(ctx.bookings.past, "no_show", "No-show");
        await shot("c05-no-show");
        await rowAction(ctx.bookings.past, "attended", "Attended"); // a late arrival
        expect(sql(`select to_json(status) from class_bookings where id = '${ctx.bookings.past}'`), "attended", "late check-in in the database");
      },
    ],
    [
      "Export CSV writes the filtered bookings to the Downloads folder",
      async () => {
        await filterMember(ctx.members[1]);
        await click("[data-testid=export-csv]");
        const said = await waitText("[data-testid=bookings-status]", (t) => t.startsWith("Exported"), "export done");
        const downloads = env("E2E_DOWNLOADS");
        if (!said.includes(downloads)) throw new Error(`exported to ${said}, not ${downloads}`);
        const files = readdirSync(downloads).filter((f) => f.endsWith(".csv"));
        expect(files.length, 1, "one CSV file");
        const csv = readFileSync(join(downloads, files[0]), "utf8");
        const lines = csv.trim().split("\n");
        if (!lines[0].toLowerCase().includes("member")) throw new Error(`no header: ${lines[0]}`);
        if (!csv.includes("E2E Spin for one") || !csv.includes(ctx.members[1].last_name)) throw new Error(`CSV lacks the booking:\n${csv.slice(0, 500)}`);
        log(`CSV: ${files[0]}, ${lines.length - 1} rows; the status line says: ${said}`);
      },
    ],
    [
      "the database goes away mid-booking: banner, automatic retry, the same confirm books once",
      async () => {
        const c = ctx.members[2];
        await openDrawer();
        await chooseMember("#drawer-member-search", c);
        await click("#drawer-kind-class");
        await h.setDrawerDay(day);
        await pickSlot("E2E Pilates");
        database("stop");
        const failed = await confirmBooking();
        expect(failed.text, "The club database cannot be reached. Check the connection and try again.", "the confirm during the outage");
        await poll(bannerShown, 15_000, "the connection banner");
        const visible = await inPage(`const r = document.querySelector("[data-testid=drawer-result]").getBoundingClientRect();
          return r.height > 0 && r.bottom <= window.innerHeight && r.top >= 0;`);
        expect(visible, true, "the drawer's message is on screen at this window size");
        await shot("c06-outage-banner");
        database("start");
        await poll(async () => !(await bannerShown()), 30_000, "the banner to go by itself (automatic retry)");
        expect((await s().findAll("[data-testid=concierge]")).length, 1, "the drawer stayed open with the confirm");
        const done = await confirmBooking();
        if (!done.text.startsWith("Booked")) throw new Error(`the retried confirm: ${done.text}`);
        const count = sql(`select to_json(count(*)) from class_bookings b join classes k on k.id = b.class_id
                           where k.title = 'E2E Pilates' and b.member_id = '${c.member_id}'`);
        expect(count, 1, "bookings for the member in the class");
        await closeDrawer();
      },
    ],
    [
      "the database is down when the app starts: password asked, banner, sign-in once it is back",
      async () => {
        database("stop");
        await restart();
        await s().waitFor("#desk-password", 60_000);
        await s().type(await s().find("#desk-password"), `${env("E2E_CLUB_PASSWORD")}${Keys.ENTER}`);
        await s().waitFor("#sign-in-heading", 30_000);
        await poll(bannerShown, 15_000, "the connection banner at start");
        await shot("c07-down-at-start");
        database("start");
        await poll(async () => !(await bannerShown()), 30_000, "the banner to go once the database is back");
        await poll(async () => !(await s().property(await s().find("#quick-switch"), "disabled")), 15_000, "the staff list");
        await signInTyped(STAFF.email, STAFF.pin, STAFF.name);
        await shot("c08-back-signed-in");
      },
    ],
  ];
}
