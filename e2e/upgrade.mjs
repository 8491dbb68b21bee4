// After installing a newer package over an older one (scripts/test-installer.sh): the desk's
// settings are kept (it asks for the saved desk role's password, then staff sign in), the app is
// the new version, and the demo database kept its bookings and got the new build's migration.
//
// Env: E2E_CLUB_PASSWORD, E2E_CLUB_ROLE, E2E_EXPECT_VERSION (the new package's version),
//      E2E_EXPECT_SCHEMA (the new build's newest migration), E2E_STATE_FILE (what the demo suite
//      remembered before the upgrade: a member and a booking).
import { readFileSync } from "node:fs";
import { Keys } from "./webdriver.mjs";
import { expect, helpers } from "./helpers.mjs";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (scripts/test-installer.sh sets it)`);
  return value;
};

export function upgradedSteps(current, shot) {
  const h = helpers(current);
  const { s, waitText, click, signInTyped, signInWith, openTab, chooseMember, rowShown } = h;
  const about = async () => {
    await click(".tab-settings");
    const text = await waitText("[data-testid=about]", (t) => t !== "", "the about line");
    return text;
  };
  return [
    [
      "the club settings survived the upgrade: the saved desk role's password is asked, staff sign in",
      async () => {
        await s().waitFor("#desk-password", 60_000);
        await waitText("#password-heading + p", (t) => t.includes(env("E2E_CLUB_ROLE")), "the saved desk role named");
        await s().type(await s().find("#desk-password"), `${env("E2E_CLUB_PASSWORD")}${Keys.ENTER}`);
        await signInTyped("frank.desk.ldn@branchdesk.example", "1357", "Frank Ellis");
        const text = await about();
        if (!text.startsWith(`Branch Desk ${env("E2E_EXPECT_VERSION")} · club database as ${env("E2E_CLUB_ROLE")}`)) throw new Error(`about reads ${text}`);
        await shot("u01-upgraded-club");
      },
    ],
    [
      "the demo database kept its bookings and has the new migration",
      async () => {
        const before = JSON.parse(readFileSync(env("E2E_STATE_FILE"), "utf8"));
        await click("[data-testid=use-demo]");
        await click("[data-testid=leave-club-yes]"); // a club desk asks before it leaves the club
        await signInWith("frank.desk", "Frank Ellis");
        const text = await about();
        expect(text, `Branch Desk ${env("E2E_EXPECT_VERSION")} · demo database · schema ${env("E2E_EXPECT_SCHEMA")}`, "about on the demo database");
        await click("[data-testid=setup-cancel]");
        await openTab("All Bookings");
        await s().waitFor("[data-testid=bookings-table]");
        await chooseMember("#f-member", before.member);
        await rowShown(before.booking);
        await shot("u02-upgraded-demo");
      },
    ],
  ];
}
