// A small W3C WebDriver client over fetch: just what the end-to-end test needs, each request
// with its own timeout, every failure a readable Error naming the command.

const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

export const Keys = {
  NULL: "\uE000",
  TAB: "\uE004",
  ENTER: "\uE007",
  ESCAPE: "\uE00C",
  CONTROL: "\uE009",
  PAGE_UP: "\uE00E",
  PAGE_DOWN: "\uE00F",
  ARROW_LEFT: "\uE012",
  ARROW_UP: "\uE013",
  ARROW_RIGHT: "\uE014",
  ARROW_DOWN: "\uE015",
};

export class WebDriverError extends Error {}

export class Session {
  constructor(base, id) {
    this.base = base;
    this.id = id;
  }

  /** Opens a session on a WebDriver server (tauri-driver) at `base`, e.g. http://127.0.0.1:4444. */
  static async create(base, capabilities, timeoutMs = 60_000) {
    const value = await request(base, "POST", "/session", { capabilities }, timeoutMs, "new session");
    if (!value?.sessionId) throw new WebDriverError(`new session: no sessionId in ${JSON.stringify(value)}`);
    return new Session(base, value.sessionId);
  }

  cmd(method, path, body, what, timeoutMs = 20_000) {
    return request(this.base, method, `/session/${this.id}${path}`, body, timeoutMs, what ?? `${method} ${path}`);
  }

  title() {
    return this.cmd("GET", "/title", undefined, "get title");
  }

  source() {
    return this.cmd("GET", "/source", undefined, "get page source");
  }

  async setWindowRect(width, height) {
    return this.cmd("POST", "/window/rect", { width, height }, "set window rect");
  }

  /** Runs `script` (a function body) in the page and returns its value. */
  async execute(script, args = []) {
    return this.cmd("POST", "/execute/sync", { script, args }, "execute script");
  }

  /** Runs `script` in the page; it ends by calling `arguments[arguments.length - 1](value)`. */
  async executeAsync(script, args = [], timeoutMs = 60_000) {
    return this.cmd("POST", "/execute/async", { script, args }, "execute async script", timeoutMs + 5_000);
  }

  async setScriptTimeout(ms) {
    return this.cmd("POST", "/timeouts", { script: ms }, "set timeouts");
  }

  /** All element ids matching a CSS selector (possibly none). */
  async findAll(css) {
    const value = await this.cmd("POST", "/elements", { using: "css selector", value: css }, `find all ${css}`);
    return value.map((v) => v[ELEMENT]);
  }

  async clear(element) {
    return this.cmd("POST", `/element/${element}/clear`, {}, "clear");
  }

  /** Returns the element id for a CSS selector, or throws. */
  async find(css) {
    const value = await this.cmd("POST", "/element", { using: "css selector", value: css }, `find ${css}`);
    return value[ELEMENT];
  }

  /** Polls until `css` matches, up to `timeoutMs`. */
  async waitFor(css, timeoutMs = 30_000) {
    return poll(() => this.find(css), timeoutMs, `element ${css}`);
  }

  async text(element) {
    return this.cmd("GET", `/element/${element}/text`, undefined, "get element text");
  }

  async property(element, name) {
    return this.cmd("GET", `/element/${element}/property/${name}`, undefined, `get property ${name}`);
  }

  async activeElement() {
    const value = await this.cmd("GET", "/element/active", undefined, "get active element");
    return value[ELEMENT];
  }

  /** Types into an element (W3C `text` field). */
  async type(element, text) {
    return this.cmd("POST", `/element/${element}/value`, { text }, "send keys");
  }

  async click(element) {
    return this.cmd("POST", `/element/${element}/click`, {}, "click");
  }

  /** Base64 PNG of the viewport. */
  async screenshot(timeoutMs = 30_000) {
    return this.cmd("GET", "/screenshot", undefined, "take screenshot", timeoutMs);
  }

  async delete() {
    return request(this.base, "DELETE", `/session/${this.id}`, undefined, 15_000, "delete session");
  }
}

/** Polls `fn` until it returns a truthy value without throwing; the last error explains a timeout. */
export async function poll(fn, timeoutMs, what, intervalMs = 250) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const value = await fn();
      if (value) return value;
      last = new Error(`got ${JSON.stringify(value)}`);
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new WebDriverError(`timed out after ${timeoutMs} ms waiting for ${what}: ${last?.message ?? "no answer"}`);
}

async function request(base, method, path, body, timeoutMs, what) {
  let response;
  try {
    response = await fetch(base + path, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json; charset=utf-8" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const reason = error?.name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : error.message;
    throw new WebDriverError(`${what}: ${reason}`);
  }
  const raw = await response.text();
  let json;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new WebDriverError(`${what}: HTTP ${response.status}, not JSON: ${raw.slice(0, 300)}`);
  }
  if (!response.ok || json?.value?.error) {
    const { error, message } = json?.value ?? {};
    throw new WebDriverError(`${what}: HTTP ${response.status} ${error ?? ""}: ${message ?? raw.slice(0, 300)}`);
  }
  return json.value;
}
