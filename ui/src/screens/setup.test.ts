import { describe, expect, it, vi } from "vitest";
import { needsCaFile, readSetup, renderSetup, type SetupValues } from "./setup";
import { appInfo } from "../test-fixtures";

const good: SetupValues = { host: " db.club.example ", port: "5432", database: "postgres", desk_role: "desk_central", password: "pw", tls: "verify-full", ca_file: "/etc/ca.pem", branch_id: "" };

describe("readSetup", () => {
  it("builds the settings with trimmed values and the CA file for verify-full", () => {
    const { settings, errors } = readSetup(good);
    expect(errors).toEqual({});
    expect(settings).toEqual({ host: "db.club.example", port: 5432, database: "postgres", desk_role: "desk_central", tls: "verify-full", ca_file: "/etc/ca.pem", branch_id: null });
  });

  it("requires a CA file only for verify-ca and verify-full", () => {
    expect(needsCaFile("verify-full")).toBe(true);
    expect(needsCaFile("verify-ca")).toBe(true);
    expect(needsCaFile("require")).toBe(false);
    expect(readSetup({ ...good, ca_file: "" }).errors.ca_file).toMatch(/CA certificate/);
    expect(readSetup({ ...good, tls: "require", ca_file: "/x" }).settings?.ca_file).toBeNull();
  });

  it("names every missing or bad field", () => {
    const { settings, errors } = readSetup({ ...good, host: "", port: "70000", database: " ", desk_role: "", password: "", tls: "bogus" });
    expect(settings).toBeNull();
    expect(Object.keys(errors).sort()).toEqual(["database", "desk_role", "host", "password", "port", "tls"]);
    expect(readSetup({ ...good, port: "54a" }).errors.port).toBeDefined();
  });

  it("keeps a chosen branch", () => {
    expect(readSetup({ ...good, branch_id: "b2" }).settings?.branch_id).toBe("b2");
  });
});

describe("renderSetup", () => {
  it("opens the demo database with one button and shows a loading state", async () => {
    const main = document.createElement("main");
    document.body.replaceChildren(main);
    let resolve!: (v: ReturnType<typeof appInfo>) => void;
    const api = { useDemoDatabase: vi.fn(() => new Promise<ReturnType<typeof appInfo>>((r) => (resolve = r))), testClubConnection: vi.fn(), saveClubConnection: vi.fn() };
    const onDone = vi.fn();
    renderSetup(main, { api, onDone });
    const demo = main.querySelector("[data-testid=use-demo]") as HTMLButtonElement;
    expect(document.activeElement).toBe(demo);
    demo.click();
    expect(demo.disabled).toBe(true);
    expect(demo.textContent).toMatch(/Opening/);
    resolve(appInfo());
    await new Promise((r) => setTimeout(r, 0));
    expect(onDone).toHaveBeenCalledWith(appInfo());
  });

  it("hides the CA file field unless the TLS mode needs it", () => {
    const main = document.createElement("main");
    renderSetup(main, { api: { useDemoDatabase: vi.fn(), testClubConnection: vi.fn(), saveClubConnection: vi.fn() }, onDone: vi.fn() });
    const tls = main.querySelector("#setup-tls") as HTMLSelectElement;
    const ca = main.querySelector("#setup-ca_file")!.closest(".field")!;
    expect(ca.classList.contains("hidden")).toBe(false); // verify-full is the default
    tls.value = "require";
    tls.dispatchEvent(new Event("change"));
    expect(ca.classList.contains("hidden")).toBe(true);
  });

  it("tests the connection and offers the branches it sees", async () => {
    const main = document.createElement("main");
    const testClubConnection = vi.fn(async () => ({ desk_role: "desk_central", branches: [{ id: "b1", code: "CTR", name: "Central", timezone: "Europe/London", date_order: null }] }));
    renderSetup(main, { api: { useDemoDatabase: vi.fn(), testClubConnection, saveClubConnection: vi.fn() }, onDone: vi.fn() });
    const set = (k: string, v: string) => ((main.querySelector(`#setup-${k}`) as HTMLInputElement).value = v);
    set("host", "db");
    set("desk_role", "desk_central");
    set("password", "pw");
    set("ca_file", "/ca.pem");
    (main.querySelector("[data-testid=setup-test]") as HTMLButtonElement).click();
    await new Promise((r) => setTimeout(r, 0));
    expect(testClubConnection).toHaveBeenCalledWith(expect.objectContaining({ host: "db", port: 5432 }), "pw");
    expect(main.querySelector("[data-testid=setup-status]")?.textContent).toContain("Connected as desk_central");
    expect([...main.querySelectorAll("#setup-branch_id option")].map((o) => o.textContent)).toContain("Central (CTR)");
  });
});

describe("renderSetup, opened later on a desk set up for the club", () => {
  const saved = { host: "db.club.example", port: 6432, database: "club", desk_role: "desk_central", tls: "verify-ca" as const, ca_file: "/etc/ssl/club.pem", branch_id: "b1" };
  const branches = [{ id: "b1", code: "CTR", name: "Central", timezone: "Europe/London", date_order: null }];

  it("starts with the saved connection (not the password) and focuses Cancel", () => {
    const main = document.createElement("main");
    document.body.replaceChildren(main);
    renderSetup(main, { api: { useDemoDatabase: vi.fn(), testClubConnection: vi.fn(), saveClubConnection: vi.fn() }, onDone: vi.fn(), onCancel: vi.fn(), saved, branches });
    const value = (k: string) => (main.querySelector(`#setup-${k}`) as HTMLInputElement).value;
    expect([value("host"), value("port"), value("database"), value("desk_role"), value("tls"), value("ca_file"), value("branch_id"), value("password")]).toEqual([
      "db.club.example", "6432", "club", "desk_central", "verify-ca", "/etc/ssl/club.pem", "b1", "",
    ]);
    expect((main.querySelector("#setup-branch_id") as HTMLSelectElement).selectedOptions[0].textContent).toBe("Central (CTR)");
    expect(main.querySelector("#setup-ca_file")!.closest(".field")!.classList.contains("hidden")).toBe(false);
    expect(document.activeElement).toBe(main.querySelector("[data-testid=setup-cancel]"));
  });

  it("keeps the connection budget set in desk.toml when the settings are saved again", async () => {
    const main = document.createElement("main");
    document.body.replaceChildren(main);
    const testClubConnection = vi.fn(async (_settings: unknown, _password: string) => ({ desk_role: "desk_central", branches }));
    renderSetup(main, { api: { useDemoDatabase: vi.fn(), testClubConnection, saveClubConnection: vi.fn() }, onDone: vi.fn(), onCancel: vi.fn(), saved: { ...saved, max_connections: 3, idle_release_seconds: 30 }, branches });
    (main.querySelector("#setup-password") as HTMLInputElement).value = "pw";
    (main.querySelector("[data-testid=setup-test]") as HTMLButtonElement).click();
    await new Promise((r) => setTimeout(r, 0));
    expect(testClubConnection).toHaveBeenCalledOnce();
    expect(testClubConnection.mock.calls[0][0]).toMatchObject({ host: "db.club.example", max_connections: 3, idle_release_seconds: 30 });
  });

  it("tells that a pooler serves desks and migrations need a direct connection", () => {
    const main = document.createElement("main");
    document.body.replaceChildren(main);
    renderSetup(main, { api: { useDemoDatabase: vi.fn(), testClubConnection: vi.fn(), saveClubConnection: vi.fn() }, onDone: vi.fn(), onCancel: vi.fn() });
    expect(main.querySelector("#setup-pooler-help")!.textContent).toMatch(/pooler.*6543.*direct connection/);
  });

  it("asks before switching to the demo database, and switches only on yes", async () => {
    const main = document.createElement("main");
    document.body.replaceChildren(main);
    const useDemoDatabase = vi.fn(async () => appInfo());
    const onDone = vi.fn();
    renderSetup(main, { api: { useDemoDatabase, testClubConnection: vi.fn(), saveClubConnection: vi.fn() }, onDone, onCancel: vi.fn(), saved, branches });
    const click = (id: string) => (main.querySelector(`[data-testid=${id}]`) as HTMLButtonElement).click();
    const asking = () => !main.querySelector("[data-testid=leave-club]")!.classList.contains("hidden");
    expect(asking()).toBe(false);
    click("use-demo");
    expect(asking()).toBe(true);
    expect(document.activeElement).toBe(main.querySelector("[data-testid=leave-club-no]"));
    click("leave-club-no");
    expect(asking()).toBe(false);
    expect(useDemoDatabase).not.toHaveBeenCalled();
    click("use-demo");
    click("leave-club-yes");
    await new Promise((r) => setTimeout(r, 0));
    expect(useDemoDatabase).toHaveBeenCalledOnce();
    expect(onDone).toHaveBeenCalledWith(appInfo());
  });
});

describe("renderSetup's about line", () => {
  it("is shown when the desk has a database open, and absent otherwise", () => {
    const api = { useDemoDatabase: vi.fn(), testClubConnection: vi.fn(), saveClubConnection: vi.fn() };
    const main = document.createElement("main");
    renderSetup(main, { api, onDone: vi.fn(), about: "Branch Desk 0.1.0 · demo database · schema 20261127000900" });
    expect(main.querySelector("[data-testid=about]")?.textContent).toBe("Branch Desk 0.1.0 · demo database · schema 20261127000900");
    renderSetup(main, { api, onDone: vi.fn() });
    expect(main.querySelector("[data-testid=about]")).toBeNull();
  });
});
