import { beforeEach, describe, expect, it, vi } from "vitest";
import { invoke as tauriInvoke } from "@tauri-apps/api/core";
import { ApiError, createApi, toApiError } from "./api";

// The generated client (bindings.ts) calls Tauri's invoke: the tests stand in for the shell there.
vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));
const invoke = vi.mocked(tauriInvoke);
beforeEach(() => {
  invoke.mockReset();
});

describe("toApiError", () => {
  it("keeps the shell's { code, message } shape", () => {
    const error = toApiError({ code: "full", message: "Full: 8 of 8 booked" });
    expect(error).toBeInstanceOf(ApiError);
    expect(error.code).toBe("full");
    expect(error.message).toBe("Full: 8 of 8 booked");
  });

  it("hides Tauri's plain-string rejections behind a generic sentence", () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const error = toApiError("Command sign_in not found");
    expect(error.code).toBe("internal");
    expect(error.message).not.toContain("sign_in");
  });

  it("treats a half-shaped object as internal", () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    expect(toApiError({ code: 42, message: "x" }).code).toBe("internal");
  });
});

describe("createApi", () => {
  it("calls app_info and returns its answer", async () => {
    invoke.mockImplementation(async () => ({ name: "Branch Desk", version: "0.1.0", mode: "demo" }));
    const api = createApi();
    await expect(api.appInfo()).resolves.toEqual({ name: "Branch Desk", version: "0.1.0", mode: "demo" });
    expect(invoke).toHaveBeenCalledWith("app_info");
  });

  it("rejects with an ApiError when the command fails", async () => {
    invoke.mockImplementation(async () => {
      throw { code: "unavailable", message: "The database cannot be reached." };
    });
    const api = createApi();
    await expect(api.appInfo()).rejects.toMatchObject({ name: "ApiError", code: "unavailable" });
  });
});

describe("command arguments", () => {
  it("passes top-level arguments in camelCase and payloads as they are", async () => {
    invoke.mockImplementation(async () => null);
    const api = createApi();
    await api.memberPanel("m1");
    expect(invoke).toHaveBeenLastCalledWith("get_member_panel", { memberId: "m1" });
    await api.cancelBooking("recovery", "b1");
    expect(invoke).toHaveBeenLastCalledWith("cancel_booking", { kind: "recovery", bookingId: "b1" });
    await api.weekSchedule("2026-11-23");
    expect(invoke).toHaveBeenLastCalledWith("week_schedule", { start: "2026-11-23" });
  });

  it("keeps the field of a field-level error", () => {
    expect(toApiError({ code: "invalid", message: "A PIN is 4 to 8 digits.", field: "pin" }).field).toBe("pin");
  });
});
