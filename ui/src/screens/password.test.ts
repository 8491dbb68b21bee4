import { describe, expect, it, vi } from "vitest";
import { renderPassword } from "./password";

const info = { connection: { state: "ready" } } as never;

describe("renderPassword", () => {
  it("asks for the password kept in memory only", () => {
    const main = document.createElement("main");
    renderPassword(main, { api: { providePassword: vi.fn() }, deskRole: "desk_ldn", onDone: vi.fn(), onChangeSettings: vi.fn() });
    expect(main.textContent).toContain("in memory only");
    expect(main.querySelector("[data-testid=password-status]")?.textContent).toBe("");
  });

  it("says why when the database refused the kept password, and connects with a new one", async () => {
    const main = document.createElement("main");
    const providePassword = vi.fn().mockResolvedValue(info);
    const onDone = vi.fn();
    const form = renderPassword(main, {
      api: { providePassword },
      deskRole: "desk_ldn",
      refused: "The database refused this desk role or password.",
      onDone,
      onChangeSettings: vi.fn(),
    });
    expect(main.textContent).toContain("refused the password this desk kept for the desk role desk_ldn");
    const status = main.querySelector("[data-testid=password-status]")!;
    expect(status.textContent).toContain("The database refused this desk role or password.");
    expect(status.classList.contains("is-error")).toBe(true);
    (main.querySelector("#desk-password") as HTMLInputElement).value = "new-password";
    form.dispatchEvent(new Event("submit", { cancelable: true }));
    await vi.waitFor(() => expect(onDone).toHaveBeenCalledWith(info));
    expect(providePassword).toHaveBeenCalledWith("new-password");
  });
});
