import { describe, expect, it } from "vitest";
import { renderShell } from "./shell";

describe("renderShell", () => {
  it("shows the title and the demo badge on the demo database", () => {
    const root = document.createElement("div");
    const main = renderShell(root, { name: "Branch Desk", version: "0.1.0", mode: "demo" });
    expect(root.querySelector("[data-testid=app-title]")?.textContent).toBe("Branch Desk");
    expect(root.querySelector("[data-testid=demo-badge]")?.textContent).toBe("Demo database");
    expect(root.textContent).toContain("v0.1.0");
    expect(main.tagName).toBe("MAIN");
  });

  it("shows no demo badge on the club database", () => {
    const root = document.createElement("div");
    renderShell(root, { name: "Branch Desk", version: "0.1.0", mode: "club" });
    expect(root.querySelector("[data-testid=demo-badge]")).toBeNull();
  });

  it("still renders when the app info is unknown", () => {
    const root = document.createElement("div");
    renderShell(root, null);
    expect(root.querySelector("[data-testid=app-title]")).not.toBeNull();
    expect(root.querySelector("[data-testid=demo-badge]")).toBeNull();
  });
});
