import { beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../api";
import { renderSignIn, signInDraft, validateSignIn } from "./sign-in";

describe("validateSignIn", () => {
  it("accepts an email and a 4–8 digit PIN", () => {
    expect(validateSignIn({ email: "ana@club.example", pin: "1234" })).toEqual({});
    expect(validateSignIn({ email: " ana@club.example ", pin: "12345678" })).toEqual({});
  });

  it("asks for missing fields", () => {
    expect(validateSignIn({ email: "", pin: "" })).toEqual({
      email: "Enter your work email.",
      pin: "Enter your PIN.",
    });
  });

  it("rejects malformed emails and PINs", () => {
    const errors = validateSignIn({ email: "ana", pin: "12a4" });
    expect(errors.email).toMatch(/email/);
    expect(errors.pin).toBe("The PIN is 4 to 8 digits.");
    expect(validateSignIn({ email: "a@b", pin: "123" }).pin).toBeDefined();
    expect(validateSignIn({ email: "a@b", pin: "123456789" }).pin).toBeDefined();
  });
});

describe("renderSignIn", () => {
  let main: HTMLElement;

  beforeEach(() => {
    document.body.replaceChildren();
    main = document.createElement("main");
    document.body.append(main);
  });

  const fill = (email: string, pin: string) => {
    (main.querySelector("#sign-in-email") as HTMLInputElement).value = email;
    (main.querySelector("#sign-in-pin") as HTMLInputElement).value = pin;
  };
  const submit = () => main.querySelector("form")!.requestSubmit();
  const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

  it("labels every field and focuses the email first", () => {
    renderSignIn(main, { onSubmit: async () => {} });
    for (const input of main.querySelectorAll("input")) {
      expect(main.querySelector(`label[for=${input.id}]`), `label for ${input.id}`).not.toBeNull();
    }
    expect(document.activeElement?.id).toBe("sign-in-email");
  });

  it("keeps what was typed, and where, when the form is drawn again (the database came back)", () => {
    expect(signInDraft(main)).toBeNull();
    for (const focused of ["email", "pin"] as const) {
      renderSignIn(main, { onSubmit: async () => {} });
      (main.querySelector("#sign-in-email") as HTMLInputElement).value = "ana@cl";
      (main.querySelector("#sign-in-pin") as HTMLInputElement).value = focused === "pin" ? "12" : "";
      (main.querySelector(`#sign-in-${focused}`) as HTMLInputElement).focus();
      const draft = signInDraft(main);
      expect(draft).toEqual({ email: "ana@cl", pin: focused === "pin" ? "12" : "", focused });
      renderSignIn(main, { onSubmit: async () => {}, draft });
      expect((main.querySelector("#sign-in-email") as HTMLInputElement).value).toBe("ana@cl");
      expect((main.querySelector("#sign-in-pin") as HTMLInputElement).value).toBe(focused === "pin" ? "12" : "");
      expect(document.activeElement?.id).toBe(`sign-in-${focused}`);
    }
  });

  it("does not call the shell with invalid input and focuses the first bad field", async () => {
    const onSubmit = vi.fn(async () => {});
    renderSignIn(main, { onSubmit });
    fill("ana@club.example", "12");
    submit();
    await flush();
    expect(onSubmit).not.toHaveBeenCalled();
    expect(main.querySelector("#sign-in-pin-error")?.textContent).toBe("The PIN is 4 to 8 digits.");
    expect(main.querySelector("#sign-in-pin")?.hasAttribute("aria-invalid")).toBe(true);
    expect(document.activeElement?.id).toBe("sign-in-pin");
  });

  it("shows a loading state while signing in, then the shell's message on failure", async () => {
    let reject!: (e: unknown) => void;
    const onSubmit = vi.fn(() => new Promise<void>((_, r) => (reject = r)));
    renderSignIn(main, { onSubmit });
    fill(" ana@club.example ", "1234");
    submit();
    const button = main.querySelector("button[type=submit]") as HTMLButtonElement;
    expect(onSubmit).toHaveBeenCalledWith({ email: "ana@club.example", pin: "1234" });
    expect(button.disabled).toBe(true);
    expect(button.textContent).toBe("Signing in…");

    reject(new ApiError("not_allowed", "Wrong email or PIN."));
    await flush();
    expect(button.disabled).toBe(false);
    expect(main.querySelector("[data-testid=sign-in-status]")?.textContent).toBe("Wrong email or PIN.");
    // The refused PIN is gone (typing it again must not append to it), the email stays.
    expect((main.querySelector("#sign-in-pin") as HTMLInputElement).value).toBe("");
    expect((main.querySelector("#sign-in-email") as HTMLInputElement).value).toBe("ana@club.example");
    expect(document.activeElement?.id).toBe("sign-in-pin");
  });

  it("keeps the PIN when the refusal is not about it (the database is away), and drops a refusal once another person is chosen", async () => {
    const onSubmit = vi
      .fn()
      .mockRejectedValueOnce(new ApiError("unavailable", "The club database cannot be reached."))
      .mockRejectedValueOnce(new ApiError("not_allowed", "Too many wrong PINs: signing in is locked for 15 more minutes."));
    renderSignIn(main, { onSubmit, loadStaff: async () => [{ id: "s2", full_name: "Finn Desk", email: "finn@club.example", role: "front_desk" }] });
    fill("ana@club.example", "1234");
    submit();
    await flush();
    expect((main.querySelector("#sign-in-pin") as HTMLInputElement).value).toBe("1234");
    submit();
    await flush();
    const status = main.querySelector("[data-testid=sign-in-status]")!;
    expect(status.textContent).toContain("locked for 15 more minutes");
    const select = main.querySelector("#quick-switch") as HTMLSelectElement;
    select.value = "finn@club.example";
    select.dispatchEvent(new Event("change"));
    expect(status.textContent).toBe(""); // Finn is not locked out
    submit();
    await flush();
    const email = main.querySelector("#sign-in-email") as HTMLInputElement;
    status.textContent = "Wrong email or PIN.";
    email.value = "finn@club.exampl";
    email.dispatchEvent(new Event("input"));
    expect(status.textContent).toBe("");
  });
});

describe("demo staff and quick switch", () => {
  it("lists the demo staff with their PINs and fills the form from a row", async () => {
    const main = document.createElement("main");
    document.body.replaceChildren(main);
    renderSignIn(main, {
      onSubmit: async () => {},
      demoStaff: [{ full_name: "Maria Manager", email: "maria@demo.example", role: "manager", pin: "2468" }],
      loadStaff: async () => [{ id: "s1", full_name: "Maria Manager", email: "maria@demo.example", role: "manager" }],
    });
    expect(main.querySelector(".demo-pin")?.textContent).toBe("2468");
    (main.querySelector("[data-testid=demo-staff-row] button") as HTMLButtonElement).click();
    expect((main.querySelector("#sign-in-email") as HTMLInputElement).value).toBe("maria@demo.example");
    expect((main.querySelector("#sign-in-pin") as HTMLInputElement).value).toBe("2468");
    await new Promise((r) => setTimeout(r, 0));
    const select = main.querySelector("#quick-switch") as HTMLSelectElement;
    expect(select.disabled).toBe(false);
    select.value = "maria@demo.example";
    select.dispatchEvent(new Event("change"));
    expect(document.activeElement?.id).toBe("sign-in-pin");
  });
});
