import { describe, expect, it, vi } from "vitest";
import { aboutText, bannerText, renderBanner, renderFrame, renderShell, stageFor } from "./shell";
import { appInfo, manager } from "./test-fixtures";

describe("renderShell", () => {
  it("shows the title, the demo badge and the branch on the demo database", () => {
    const root = document.createElement("div");
    const main = renderShell(root, appInfo());
    expect(root.querySelector("[data-testid=app-title]")?.textContent).toBe("Branch Desk");
    expect(root.querySelector("[data-testid=demo-badge]")?.textContent).toBe("Demo database");
    expect(root.querySelector("[data-testid=branch-name]")?.textContent).toBe("Central");
    expect(root.textContent).toContain("v0.1.0");
    expect(main.tagName).toBe("MAIN");
  });

  it("shows no demo badge on the club database", () => {
    const root = document.createElement("div");
    renderShell(root, appInfo({ mode: "club" }));
    expect(root.querySelector("[data-testid=demo-badge]")).toBeNull();
  });

  it("still renders when the app info is unknown", () => {
    const root = document.createElement("div");
    renderShell(root, null);
    expect(root.querySelector("[data-testid=app-title]")).not.toBeNull();
    expect(root.querySelector("[data-testid=demo-badge]")).toBeNull();
  });

  it("shows the signed-in staff, sign out and the navigation with the current screen marked", () => {
    const root = document.createElement("div");
    const onSignOut = vi.fn();
    const onNavigate = vi.fn();
    renderFrame(root, appInfo({ staff: manager }), { view: "bookings", onSignOut, onNavigate });
    expect(root.querySelector("[data-testid=staff-name]")?.textContent).toBe("Maria Manager");
    const tabs = [...root.querySelectorAll<HTMLButtonElement>(".tab")];
    expect(tabs.map((t) => t.textContent)).toEqual(["Members", "Recovery schedule", "All Bookings"]);
    expect(root.querySelector(".tab[aria-current=page]")?.textContent).toBe("All Bookings");
    tabs[1].click();
    expect(onNavigate).toHaveBeenCalledWith("schedule");
    (root.querySelector("[data-testid=sign-out]") as HTMLButtonElement).click();
    expect(onSignOut).toHaveBeenCalled();
  });
});

describe("aboutText", () => {
  it("names the version, the database and its schema version", () => {
    expect(aboutText(appInfo())).toBe("Branch Desk 0.1.0 · demo database · schema 20261127000900");
    expect(aboutText(appInfo({ mode: "club", desk_role: "desk_ldn", schema_version: null }))).toBe(
      "Branch Desk 0.1.0 · club database as desk_ldn · schema unknown",
    );
  });
});

describe("stageFor", () => {
  it("follows the connection state and the signed-in staff", () => {
    expect(stageFor(null)).toBe("connecting");
    expect(stageFor(appInfo({ connection: { state: "needs_password" } }))).toBe("password");
    expect(stageFor(appInfo({ connection: { state: "password_refused", message: "refused" } }))).toBe("password");
    expect(stageFor(appInfo({ connection: { state: "connecting" } }))).toBe("connecting");
    expect(stageFor(appInfo())).toBe("sign-in");
    expect(stageFor(appInfo({ staff: manager }))).toBe("desk");
    expect(stageFor(appInfo({ staff: manager, connection: { state: "unavailable", message: "down" } }))).toBe("desk");
  });
});

describe("connection banner", () => {
  it("has text only while unavailable", () => {
    expect(bannerText({ state: "ready" })).toBeNull();
    expect(bannerText(null)).toBeNull();
    expect(bannerText({ state: "password_refused", message: "The database refused this desk role or password." })).toBeNull();
    expect(bannerText({ state: "unavailable", message: "The club database cannot be reached." })).toBe("The club database cannot be reached.");
  });

  it("offers Retry and clears when the text goes", () => {
    const slot = document.createElement("div");
    const onRetry = vi.fn();
    renderBanner(slot, "Down.", onRetry);
    expect(slot.querySelector("[role=alert]")?.textContent).toContain("every 5 seconds");
    (slot.querySelector("[data-testid=banner-retry]") as HTMLButtonElement).click();
    expect(onRetry).toHaveBeenCalledOnce();
    renderBanner(slot, "Down.", onRetry, true);
    expect((slot.querySelector("[data-testid=banner-retry]") as HTMLButtonElement).disabled).toBe(true);
    renderBanner(slot, null, onRetry);
    expect(slot.childElementCount).toBe(0);
  });
});
