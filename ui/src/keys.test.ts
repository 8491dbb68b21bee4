import { describe, expect, it, vi } from "vitest";
import { debounce, moveHighlight, shortcutFor } from "./keys";

describe("shortcutFor", () => {
  it("maps Ctrl+K, Ctrl+N and Esc", () => {
    expect(shortcutFor({ key: "k", ctrlKey: true })).toBe("search");
    expect(shortcutFor({ key: "K", ctrlKey: true })).toBe("search");
    expect(shortcutFor({ key: "n", ctrlKey: true })).toBe("new-booking");
    expect(shortcutFor({ key: "Escape", ctrlKey: false })).toBe("close");
  });
  it("maps Ctrl+1, Ctrl+2 and Ctrl+3 to the tabs, and leaves a typed digit alone", () => {
    expect(shortcutFor({ key: "1", ctrlKey: true })).toBe("members");
    expect(shortcutFor({ key: "2", ctrlKey: true })).toBe("schedule");
    expect(shortcutFor({ key: "3", metaKey: true, ctrlKey: false })).toBe("bookings");
    expect(shortcutFor({ key: "2", ctrlKey: false })).toBeNull();
    expect(shortcutFor({ key: "4", ctrlKey: true })).toBeNull();
  });
  it("leaves plain typing alone", () => {
    expect(shortcutFor({ key: "k", ctrlKey: false })).toBeNull();
    expect(shortcutFor({ key: "n", ctrlKey: true, altKey: true })).toBeNull();
  });
});

describe("moveHighlight", () => {
  it("moves within the list and stops at its ends", () => {
    expect(moveHighlight(-1, 3, "ArrowDown")).toBe(0);
    expect(moveHighlight(0, 3, "ArrowDown")).toBe(1);
    expect(moveHighlight(2, 3, "ArrowDown")).toBe(2);
    expect(moveHighlight(1, 3, "ArrowUp")).toBe(0);
    expect(moveHighlight(0, 3, "ArrowUp")).toBe(0);
    expect(moveHighlight(0, 3, "End")).toBe(2);
    expect(moveHighlight(2, 3, "Home")).toBe(0);
    expect(moveHighlight(1, 0, "ArrowDown")).toBe(-1);
  });
});

describe("debounce", () => {
  it("calls once with the last arguments after the quiet time", () => {
    vi.useFakeTimers();
    const fn = vi.fn();
    const d = debounce(fn, 200);
    d("a");
    d("an");
    vi.advanceTimersByTime(199);
    expect(fn).not.toHaveBeenCalled();
    d("ana");
    vi.advanceTimersByTime(200);
    expect(fn).toHaveBeenCalledOnce();
    expect(fn).toHaveBeenCalledWith("ana");
    d("x");
    d.cancel();
    vi.advanceTimersByTime(500);
    expect(fn).toHaveBeenCalledOnce();
    vi.useRealTimers();
  });
});
