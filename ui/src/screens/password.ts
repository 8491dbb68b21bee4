// Asked at start when the desk's password is not in a keyring (kept in memory only), and when
// the club database refused the one the desk kept (changed on the server).
import { errorText, type Api, type AppInfo } from "../api";
import { h } from "../dom";

export interface PasswordOptions {
  api: Pick<Api, "providePassword">;
  deskRole: string | null;
  /** Why the kept password did not work (the database refused it); null when none was kept. */
  refused?: string | null;
  onDone: (info: AppInfo) => void;
  onChangeSettings: () => void;
}

export function renderPassword(main: HTMLElement, options: PasswordOptions): HTMLFormElement {
  const input = h("input", { id: "desk-password", type: "password", autocomplete: "current-password" });
  const status = h("p", { class: "form-status", role: "status", "data-testid": "password-status" });
  if (options.refused) {
    status.textContent = `${options.refused} Enter the desk role's current password.`;
    status.classList.add("is-error");
  }
  const submit = h("button", { type: "submit", class: "primary" }, "Connect");
  const change = h("button", { type: "button", class: "link-button" }, "Change connection settings");
  change.addEventListener("click", options.onChangeSettings);
  const form = h(
    "form",
    { class: "card", novalidate: true, "aria-labelledby": "password-heading" },
    h("h2", { id: "password-heading" }, "Database password"),
    h(
      "p",
      { class: "muted" },
      options.refused
        ? `The club database refused the password this desk kept for the desk role${options.deskRole ? ` ${options.deskRole}` : ""}.`
        : `This desk keeps its password in memory only. Enter the password of the desk role${options.deskRole ? ` ${options.deskRole}` : ""}.`,
    ),
    h("label", { for: "desk-password" }, "Password"),
    input,
    submit,
    status,
    change,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    status.classList.remove("is-error");
    if (!input.value) {
      status.textContent = "Enter the password.";
      status.classList.add("is-error");
      return input.focus();
    }
    submit.disabled = true;
    submit.textContent = "Connecting…";
    status.textContent = "";
    try {
      options.onDone(await options.api.providePassword(input.value));
    } catch (e) {
      status.textContent = errorText(e);
      status.classList.add("is-error");
    } finally {
      submit.disabled = false;
      submit.textContent = "Connect";
    }
  });
  main.replaceChildren(form);
  input.focus();
  return form;
}
