// End-to-end test through the real Branch Desk window: tauri-driver + WebKitWebDriver, run by
// scripts/test-e2e.sh under Xvfb. Starts tauri-driver itself (in its own process group, so the
// driver, WebKitWebDriver and the app all go when it ends), runs the steps in order, stops at
// the first failure, and saves screenshots to $E2E_ARTIFACTS.
//
// Env: BRANCH_DESK_BIN (the app binary, required), E2E_SUITES (comma-separated, default demo:
//      demo, club, upgraded), E2E_ARTIFACTS (default artifacts/e2e),
//      TAURI_DRIVER (default tauri-driver), NATIVE_DRIVER (default /usr/bin/WebKitWebDriver),
//      E2E_DRIVER_PGID_FILE (where to write the driver's process group id, optional),
//      E2E_WINDOW (e.g. 1024x768, the app's smallest: the window size for the run, optional).
//      E2E_LOCALE (default en_US.UTF-8: the PC's locale the app runs under; dates follow the branch).
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, writeFileSync, existsSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { poll, Session } from "./webdriver.mjs";
import { deskSteps } from "./flows.mjs";
import { clubSteps } from "./club.mjs";
import { upgradedSteps } from "./upgrade.mjs";

// Each suite starts the app afresh; all share one home (settings, demo database) in a run.
const SUITES = { demo: deskSteps, club: clubSteps, upgraded: upgradedSteps };

const app = process.env.BRANCH_DESK_BIN;
const artifacts = resolve(process.env.E2E_ARTIFACTS ?? "artifacts/e2e");
const tauriDriver = process.env.TAURI_DRIVER ?? "tauri-driver";
const nativeDriver = process.env.NATIVE_DRIVER ?? "/usr/bin/WebKitWebDriver";
const LOCALE = process.env.E2E_LOCALE ?? "en_US.UTF-8";

const log = (...args) => console.log("[e2e]", ...args);

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

function startDriver(port, nativePort) {
  const child = spawn(
    tauriDriver,
    ["--port", String(port), "--native-port", String(nativePort), "--native-driver", nativeDriver],
    // The app runs as on a US-locale PC (E2E_LOCALE): its dates must follow the branch, not it.
    { detached: true, stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, LANG: LOCALE, LC_ALL: LOCALE, LANGUAGE: LOCALE.split(".")[0] } },
  );
  child.on("error", (error) => log(`could not start ${tauriDriver}: ${error.message}`));
  // The calling script kills this process group too if we die before cleaning up.
  if (process.env.E2E_DRIVER_PGID_FILE && child.pid) writeFileSync(process.env.E2E_DRIVER_PGID_FILE, `${child.pid}\n`);
  return child;
}

function stopDriver(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const group = -child.pid;
    const kill = (signal) => {
      try {
        process.kill(group, signal);
      } catch {
        /* already gone */
      }
    };
    const timer = setTimeout(() => kill("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(timer);
      kill("SIGKILL"); // anything left in the group (WebKitWebDriver, the app)
      done();
    });
    kill("SIGTERM");
  });
}

async function main() {
  if (!app || !existsSync(app)) throw new Error(`BRANCH_DESK_BIN must name the built app binary (got ${app ?? "nothing"})`);
  const suites = (process.env.E2E_SUITES || "demo").split(",").filter(Boolean);
  const windowSize = process.env.E2E_WINDOW ? process.env.E2E_WINDOW.split("x").map(Number) : null;
  if (windowSize && (windowSize.length !== 2 || windowSize.some((n) => !(n > 0)))) throw new Error(`E2E_WINDOW reads ${process.env.E2E_WINDOW}, not WIDTHxHEIGHT`);
  for (const name of suites) if (!SUITES[name]) throw new Error(`no suite ${name} (have ${Object.keys(SUITES).join(", ")})`);
  if (!process.env.DISPLAY) throw new Error("no DISPLAY: run under xvfb-run (scripts/test-e2e.sh does)");
  mkdirSync(artifacts, { recursive: true });

  const [port, nativePort] = [await freePort(), await freePort()];
  const base = `http://127.0.0.1:${port}`;
  log(`tauri-driver on ${base} (WebKitWebDriver on ${nativePort}), app ${app}`);
  let session = null;
  let stopping = false;
  const driver = startDriver(port, nativePort);
  const cleanup = async () => {
    if (session) await session.delete().catch((error) => log(`delete session: ${error.message}`));
    await stopDriver(driver);
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(signal, async () => {
      if (stopping) return; // a second signal must not cut the cleanup short
      stopping = true;
      log(`got ${signal}, cleaning up`);
      await cleanup();
      process.exit(130);
    });
  }

  let passed = 0;
  let failed = 0;
  const shot = async (name) => {
    const file = join(artifacts, `${name}.png`);
    try {
      writeFileSync(file, Buffer.from(await session.screenshot(10_000), "base64"));
    } catch (error) {
      // WebKitWebDriver sometimes stops answering screenshots for the rest of a session (seen
      // after a bookings row action); the window is still there, so capture the X display.
      log(`WebDriver screenshot failed (${error.message}); capturing the display instead`);
      execFileSync("import", ["-display", process.env.DISPLAY, "-window", "root", file]);
    }
    log(`screenshot ${file}`);
  };
  const step = async (name, fn) => {
    const started = Date.now();
    try {
      await fn();
      passed += 1;
      log(`ok   ${name} (${Date.now() - started} ms)`);
      return true;
    } catch (error) {
      if (stopping) return false;
      failed += 1;
      log(`FAIL ${name}: ${error.message}`);
      if (session) {
        await shot(`failure-${name.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}`).catch(() => {});
        await session
          .source()
          .then((html) => writeFileSync(join(artifacts, "failure-page.html"), html))
          .catch(() => {});
      }
      return false;
    }
  };

  // Starts the app (closing it first if it runs): a restart keeps its settings and data.
  const openApp = async () => {
    if (session) {
      await session.delete().catch((error) => log(`delete session: ${error.message}`));
      session = null;
    }
    try {
      session = await Session.create(base, { alwaysMatch: { "tauri:options": { application: app } } }, 60_000);
    } catch (error) {
      throw new Error(`${error.message} (does the app start? run ${app} under xvfb-run to see why)`);
    }
    if (windowSize) await session.setWindowRect(...windowSize);
  };

  try {
    const steps = [
      [
        "tauri-driver and WebKitWebDriver answer",
        async () => {
          // Ask WebKitWebDriver first: tauri-driver proxies /status and logs a backtrace while
          // the native driver is not listening yet.
          const ready = (url) => async () => {
            if (driver.exitCode !== null) throw new Error(`tauri-driver exited with ${driver.exitCode}`);
            const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
            return response.ok;
          };
          await poll(ready(`http://127.0.0.1:${nativePort}/status`), 20_000, "WebKitWebDriver /status");
          await poll(ready(`${base}/status`), 10_000, "tauri-driver /status");
        },
      ],
      ...suites.flatMap((name) => [
        [`${name}: the app window opens`, openApp],
        ...SUITES[name](() => session, shot, openApp).map(([title, fn]) => [`${name}: ${title}`, fn]),
      ]),
    ];
    for (const [name, fn] of steps) {
      if (!(await step(name, fn))) break;
    }
  } finally {
    await cleanup();
  }
  console.log(`e2e: ${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0;
}


main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (error) => {
    console.error(`[e2e] ERROR: ${error.message}`);
    process.exit(1);
  },
);
