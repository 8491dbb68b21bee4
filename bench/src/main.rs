//! Branch Desk benchmarks (issue 6). Connects to DATABASE_URL as an administrator, creates a
//! fresh database, migrates it, generates a club with the core's generator, runs each pair side
//! by side and prints a table (also written as Markdown and CSV into `bench-results/`).
//!
//!   branch-desk-bench [--quick] [--out DIR] [--keep-db]
//!   branch-desk-bench load [--quick|--branches N --desks M --seconds S] [--direct] ...   (load.rs)
//!
//! Figures are printed, never asserted. The process fails (exit code 1) only when something
//! errors or an invariant is broken (overbooking, duplicates, paging that skips or repeats).

/// Runs a desk command the way the app runs every one (`Desk::begin`): in a transaction of its
/// own that starts with the desk's settings. `as_desk!(pool, |c| core_fn(c, ...).await?)`.
macro_rules! as_desk {
    ($pool:expr, |$c:ident| $body:expr) => {{
        let mut tx = branch_desk_core::db::desk_transaction($pool, None).await?;
        let $c = &mut *tx;
        let out = $body;
        tx.commit().await?;
        out
    }};
}

mod bookings;
mod load;
mod paging;
mod proxy;
mod report;
mod search;
mod slots;

use std::str::FromStr;
use std::time::{Duration, Instant};

use branch_desk_core::db::{create_desk_role, migrate};
use branch_desk_core::generator::{
    generate_activity, generate_club, ActivitySpec, ClubSpec, GeneratedActivity, GeneratedClub,
};
use chrono::{NaiveDate, Utc};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, PgPool};

use report::Measure;

pub type R<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

pub const DESK_LDN: &str = "bench_desk_ldn";
pub const DESK_HQ: &str = "bench_desk_hq";

/// Sizes of one run.
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    pub members: u32,
    pub bookings: u64,
    /// Activity window: days before and after today.
    pub days_back: i64,
    pub days_ahead: i64,
    pub search_queries_per_kind: usize,
    pub slot_runs_loopback: usize,
    pub slot_runs_proxy: usize,
    pub same_slot_rounds: usize,
    pub spread_per_desk: usize,
    pub keyset_samples: usize,
    pub offset_samples: usize,
    pub walk_pages: usize,
    pub cell_budget: Duration,
}

impl Sizes {
    fn full() -> Self {
        Sizes {
            members: 200_000,
            bookings: 1_000_000,
            days_back: 900,
            days_ahead: 200,
            search_queries_per_kind: 100,
            slot_runs_loopback: 20,
            slot_runs_proxy: 5,
            same_slot_rounds: 20,
            spread_per_desk: 40,
            keyset_samples: 50,
            offset_samples: 20,
            walk_pages: 2_000,
            cell_budget: Duration::from_secs(8),
        }
    }
    fn quick() -> Self {
        Sizes {
            members: 2_000,
            bookings: 5_000,
            days_back: 10,
            days_ahead: 4,
            search_queries_per_kind: 5,
            slot_runs_loopback: 2,
            slot_runs_proxy: 1,
            same_slot_rounds: 2,
            spread_per_desk: 3,
            keyset_samples: 3,
            offset_samples: 2,
            walk_pages: 20,
            cell_budget: Duration::from_millis(500),
        }
    }
}

/// Everything the pairs share.
pub struct Ctx {
    pub quick: bool,
    pub sizes: Sizes,
    pub admin: PgPool,
    pub admin_opts: PgConnectOptions,
    pub desk_password: String,
    pub club: GeneratedClub,
    pub spec: ClubSpec,
    pub today: NaiveDate,
    /// Invariant checks, printed after the table.
    pub checks: Vec<(String, bool)>,
    /// How many fresh 31-day ranges (beyond the activity window) were handed out.
    pub fresh_ranges: i64,
}

impl Ctx {
    pub fn desk_opts(&self, role: &str) -> PgConnectOptions {
        self.admin_opts
            .clone()
            .username(role)
            .password(&self.desk_password)
    }
    /// Desk sessions as the app opens them (`db::desk_pool_options`, unnamed statements), all
    /// connected up front and none closed for being idle.
    pub async fn desk_pool(&self, role: &str, max: u32) -> R<PgPool> {
        let budget = branch_desk_core::db::ConnectionBudget {
            max_connections: max,
            idle_release: Duration::from_secs(3600),
        };
        Ok(branch_desk_core::db::desk_pool_options(budget)
            .min_connections(max)
            .acquire_timeout(Duration::from_secs(60))
            .connect_with(branch_desk_core::db::desk_connect_options(
                self.desk_opts(role),
            ))
            .await?)
    }
    /// A 31-day range of local dates that no slot exists in yet: well after the activity window.
    pub fn fresh_range(&mut self) -> (NaiveDate, NaiveDate) {
        let start = self.today
            + chrono::Duration::days(self.sizes.days_ahead + 400 + 31 * self.fresh_ranges);
        self.fresh_ranges += 1;
        (start, start + chrono::Duration::days(30))
    }
    pub fn check(&mut self, what: impl Into<String>, ok: bool) {
        let what = what.into();
        println!("  check: {what}: {}", if ok { "OK" } else { "BROKEN" });
        self.checks.push((what, ok));
    }
}

fn usage() -> ! {
    eprintln!("usage: branch-desk-bench [--quick] [--out DIR] [--keep-db] [--only search|slots|bookings|paging]   (DATABASE_URL: an administrator connection)");
    eprintln!("       branch-desk-bench load --help   (many desks at once through PgBouncer: scripts/bench-load.sh)");
    std::process::exit(2)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    if std::env::args().nth(1).as_deref() == Some("load") {
        std::process::exit(load::main(std::env::args().skip(2).collect()).await);
    }
    let mut quick = false;
    let mut keep_db = false;
    let mut out = std::path::PathBuf::from("bench-results");
    let mut only: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--quick" => quick = true,
            "--keep-db" => keep_db = true,
            "--only" => match args.next() {
                Some(p) if ["search", "slots", "bookings", "paging"].contains(&p.as_str()) => {
                    only = Some(p)
                }
                _ => usage(),
            },
            "--out" => out = args.next().map(Into::into).unwrap_or_else(|| usage()),
            _ => usage(),
        }
    }
    match run(quick, keep_db, only.as_deref(), &out).await {
        Ok(true) => {}
        Ok(false) => {
            eprintln!("\nFAILED: an invariant is broken (see the checks above)");
            std::process::exit(1);
        }
        Err(e) => {
            eprintln!("\nFAILED: {e}");
            std::process::exit(1);
        }
    }
}

async fn run(quick: bool, keep_db: bool, only: Option<&str>, out: &std::path::Path) -> R<bool> {
    let runs = |pair: &str| only.is_none_or(|o| o == pair);
    let url = std::env::var("DATABASE_URL")
        .map_err(|_| "DATABASE_URL is not set (an administrator connection)")?;
    let sizes = if quick { Sizes::quick() } else { Sizes::full() };
    let started = Instant::now();
    let server_opts = PgConnectOptions::from_str(&url)?.disable_statement_logging();
    let db_name = if quick {
        "branchdesk_bench_quick"
    } else {
        "branchdesk_bench"
    };
    println!(
        "Branch Desk benchmarks ({} mode): {} members, {} bookings",
        if quick { "quick" } else { "full" },
        sizes.members,
        sizes.bookings
    );
    {
        let server = PgPoolOptions::new()
            .max_connections(1)
            .connect_with(server_opts.clone())
            .await?;
        let version = sqlx::query_scalar!(r#"select current_setting('server_version') as "v!""#)
            .fetch_one(&server)
            .await?;
        println!("PostgreSQL {version}; fresh database {db_name}");
        sqlx::query(&format!("drop database if exists {db_name} with (force)"))
            .execute(&server)
            .await?;
        sqlx::query(&format!("create database {db_name}"))
            .execute(&server)
            .await?;
        server.close().await;
    }
    let admin_opts = server_opts.clone().database(db_name);
    let admin = PgPoolOptions::new()
        .max_connections(8)
        .connect_with(admin_opts.clone())
        .await?;
    migrate(&admin).await?;

    let t = Instant::now();
    let spec = ClubSpec {
        seed: 7,
        members: sizes.members,
    };
    let club = generate_club(&admin, &spec).await?;
    println!(
        "generated the club: {} members in {:.1} s",
        sizes.members,
        t.elapsed().as_secs_f64()
    );

    let now = Utc::now();
    let today = now.date_naive();
    let t = Instant::now();
    // Search needs members only; the other pairs need a year of activity.
    let activity = if only == Some("search") {
        GeneratedActivity {
            classes: 0,
            slots: 0,
            class_bookings: 0,
            benefit_bookings: 0,
        }
    } else {
        generate_activity(
            &admin,
            &club,
            &ActivitySpec {
                seed: 7,
                from: today - chrono::Duration::days(sizes.days_back),
                to: today + chrono::Duration::days(sizes.days_ahead),
                bookings: sizes.bookings,
                now,
            },
        )
        .await?
    };
    let made = activity.class_bookings + activity.benefit_bookings;
    println!(
        "generated the activity: {} classes, {} slots, {} class + {} recovery = {made} bookings in {:.1} s",
        activity.classes,
        activity.slots,
        activity.class_bookings,
        activity.benefit_bookings,
        t.elapsed().as_secs_f64()
    );
    if made < sizes.bookings && only != Some("search") {
        println!(
            "  note: the window held only {made} of the {} bookings asked for",
            sizes.bookings
        );
    }
    // Desk roles are cluster-wide; a password lets this work on clusters without trust auth.
    let desk_password = format!("bench-{}", uuid::Uuid::new_v4().simple());
    create_desk_role(
        &admin,
        DESK_LDN,
        Some(&desk_password),
        Some(club.branch("LDN").id),
    )
    .await?;
    create_desk_role(&admin, DESK_HQ, Some(&desk_password), None).await?;
    sqlx::query!("vacuum analyze").execute(&admin).await?;

    let mut ctx = Ctx {
        quick,
        sizes,
        admin,
        admin_opts,
        desk_password,
        club,
        spec,
        today,
        checks: Vec::new(),
        fresh_ranges: 0,
    };
    let mut rows: Vec<Measure> = Vec::new();

    if runs("search") {
        println!("\n[1/4] member search");
        rows.extend(search::run(&mut ctx).await?);
    }
    if runs("slots") {
        println!("\n[2/4] slot generation");
        rows.extend(slots::run(&mut ctx).await?);
    }
    if runs("bookings") {
        println!("\n[3/4] contended booking");
        rows.extend(bookings::run(&mut ctx).await?);
    }
    if runs("paging") {
        println!("\n[4/4] All Bookings paging");
        rows.extend(paging::run(&mut ctx).await?);
    }

    let table = report::text(&rows);
    println!("\n{table}");
    println!("Invariants:");
    for (what, ok) in &ctx.checks {
        println!("  {}  {what}", if *ok { "OK    " } else { "BROKEN" });
    }
    let all_ok = ctx.checks.iter().all(|(_, ok)| *ok);

    std::fs::create_dir_all(out)?;
    let stem = if quick { "quick" } else { "full" };
    let machine = machine();
    let mut md = format!(
        "# Branch Desk benchmarks ({stem} mode)\n\n- run: {}\n- machine: {machine}\n- data: {} members, {made} bookings ({} class, {} recovery)\n- total time: {:.0} s\n\n",
        Utc::now().format("%Y-%m-%d %H:%M UTC"),
        sizes.members,
        activity.class_bookings,
        activity.benefit_bookings,
        started.elapsed().as_secs_f64()
    );
    md.push_str(&report::markdown(&rows));
    md.push_str("\nInvariants:\n\n");
    for (what, ok) in &ctx.checks {
        md.push_str(&format!(
            "- {}: {what}\n",
            if *ok { "OK" } else { "BROKEN" }
        ));
    }
    std::fs::write(out.join(format!("{stem}.md")), md)?;
    std::fs::write(out.join(format!("{stem}.csv")), report::csv(&rows))?;
    println!(
        "\nwrote {}/{stem}.md and {stem}.csv; total {:.0} s",
        out.display(),
        started.elapsed().as_secs_f64()
    );

    ctx.admin.close().await;
    if !keep_db {
        let server = PgPoolOptions::new()
            .max_connections(1)
            .connect_with(server_opts)
            .await?;
        sqlx::query(&format!("drop database if exists {db_name} with (force)"))
            .execute(&server)
            .await?;
    }
    Ok(all_ok)
}

fn machine() -> String {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let mem_gib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0 / 1024.0)
        .unwrap_or(0.0);
    let os = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("PRETTY_NAME="))
                .map(|l| l[12..].trim_matches('"').to_owned())
        })
        .unwrap_or_else(|| std::env::consts::OS.to_owned());
    format!("{cores} cores, {mem_gib:.0} GiB RAM, {os}")
}
