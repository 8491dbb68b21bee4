//! `branch-desk-bench load`: N branches × M desks at once, through PgBouncer in transaction mode
//! (or, with `--direct`, straight to PostgreSQL), paced like busy front desks.
//!
//!   branch-desk-bench load [--quick] [--branches N] [--desks M] [--seconds S] [--direct]
//!                          [--pooler-port P] [--stats-url URL] [--out DIR] [--think S] [--rush-every S]
//!                          [--members-per-branch N] [--db NAME] [--keep-db]
//!
//! DATABASE_URL is an administrator's DIRECT connection to PostgreSQL: the load database is
//! created, migrated and filled through it (migrations refuse a transaction pooler), and the
//! invariants are checked through it afterwards. The desks connect to the same host on
//! `--pooler-port` (default $PGBOUNCER_PORT), or on DATABASE_URL's port with `--direct`.
//!
//! Set-up (as the administrator, all in SQL): the generated club's members, N new branches
//! (`L0001`...) with London's facilities and settings, a class timetable from last week to next
//! week, this week's recovery slots (next week's are made by the desks' own schedule calls, as
//! the app does), some history and upcoming bookings, a manager and M-1 front-desk staff per
//! branch (the manager at desk 0), and one desk role per branch shared by its M desks.
//!
//! Each desk is its own pool (`desk::connect_club` → `db::connect` with the default budget of
//! two connections, then `open_desk`), signs its staff member in, and then loops: think a few
//! seconds (jittered), then one of the front desk's tasks. Every call is one desk transaction,
//! exactly as the app's commands run them. Every `--rush-every` seconds (15) all desks of a branch
//! book the same nearly-full place at the same instant (a Cold Plunge slot of 2, or a small
//! class of M-1 places); the manager then overrides capacity on some rounds and other desks put
//! the member on a class's waitlist. Full, Already booked and Allowance used are answers; every
//! other failure is an error and is recorded with its message.
//!
//! The report: per action n / p50 / p95 / p99 / per second, answers and errors by kind, peak
//! server connections (pg_stat_activity every 200 ms on the admin connection), PgBouncer's wait
//! figures (SHOW POOLS cl_waiting / maxwait peaks, SHOW STATS deltas), server sessions started,
//! and the invariants. Exit 1 when an invariant is broken, or (through the pooler) any error.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use branch_desk_core::bookings::{
    self, Attendance, Booking, BookingFilter, BookingKind, BookingRequest, PageRequest, Sort,
};
use branch_desk_core::classes::{list_classes_on_days, Class};
use branch_desk_core::db::{create_desk_role, migrate};
use branch_desk_core::desk::{connect_club, ClubConnection, Desk, TlsMode};
use branch_desk_core::generator::{generate_club, ClubSpec};
use branch_desk_core::members::{member_panel, search_members};
use branch_desk_core::slots::{schedule, Schedule};
use branch_desk_core::staff::sign_in;
use branch_desk_core::Error;
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::{ConnectOptions, Connection, PgConnection, PgPool, Row};
use uuid::Uuid;

use crate::report::percentile;
use crate::R;

const USAGE: &str = "usage: branch-desk-bench load [--quick] [--branches N] [--desks M] [--seconds S] [--direct] \
[--pooler-port P] [--stats-url URL] [--out DIR] [--think S] [--rush-every S] [--members-per-branch N] [--db NAME] [--keep-db]
  DATABASE_URL: an administrator's direct connection to PostgreSQL (the load database is made there)
  --quick: 20 branches x 3 desks for 30 s (the defaults)
  --direct: desks connect straight to PostgreSQL (DATABASE_URL's host and port) instead of PgBouncer
  --pooler-port (default $PGBOUNCER_PORT), --stats-url (default $PGBOUNCER_STATS_URL): PgBouncer and its console
  --think S: a desk's mean pause between tasks in seconds (default 4, jittered 0.5x to 1.5x)
  --rush-every S: seconds between a branch's rush rounds, when all its desks book the same last places (default 15)";

/// The app's member search waits this long after a keystroke before it searches.
const SEARCH_DEBOUNCE_MS: u64 = 200;

/// The small classes the rush rounds fight over; other bookings leave them alone.
const RUSH_CLASS: &str = "Small Group Reformer";
const PIN: &str = "2468";
const OVERRIDE_REASON: &str = "Manager override: a regular member, last place agreed";

/// The generator's class timetable: (title, local start, minutes, capacity, instructor).
const TIMETABLE: [(&str, &str, i32, i32, &str); 6] = [
    ("Sunrise Yoga", "07:00", 60, 18, "Ana Ruiz"),
    ("HIIT Express", "09:30", 30, 20, "Tom Becker"),
    ("Lunchtime Spin", "12:15", 45, 24, "Priya Nair"),
    ("Pilates Core", "17:30", 50, 14, "Kofi Mensah"),
    ("Boxing Fundamentals", "18:45", 60, 16, "Ana Ruiz"),
    ("Candlelit Stretch", "20:00", 45, 12, "Tom Becker"),
];

#[derive(Debug, Clone)]
struct Opts {
    branches: usize,
    desks: usize,
    seconds: u64,
    direct: bool,
    out: Option<PathBuf>,
    pooler_port: Option<u16>,
    stats_url: Option<String>,
    think: f64,
    /// Seconds between a branch's rush rounds (all its desks at the same last places).
    rush_every: u64,
    members_per_branch: u32,
    db: String,
    keep_db: bool,
}

fn parse(args: Vec<String>) -> Result<Opts, String> {
    let mut o = Opts {
        branches: 20,
        desks: 3,
        seconds: 30,
        direct: false,
        out: None,
        pooler_port: std::env::var("PGBOUNCER_PORT")
            .ok()
            .and_then(|p| p.parse().ok()),
        stats_url: std::env::var("PGBOUNCER_STATS_URL")
            .ok()
            .filter(|s| !s.is_empty()),
        think: 4.0,
        rush_every: 15,
        members_per_branch: 200,
        db: "branchdesk_load".into(),
        keep_db: false,
    };
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        fn num<T: FromStr>(name: &str, v: String) -> Result<T, String> {
            v.parse().map_err(|_| format!("{name}: not a number: {v}"))
        }
        match a.as_str() {
            "--quick" => {
                o.branches = 20;
                o.desks = 3;
                o.seconds = 30;
            }
            "--branches" => o.branches = num("--branches", value("--branches")?)?,
            "--desks" => o.desks = num("--desks", value("--desks")?)?,
            "--seconds" => o.seconds = num("--seconds", value("--seconds")?)?,
            "--think" => o.think = num("--think", value("--think")?)?,
            "--rush-every" => {
                o.rush_every = num("--rush-every", value("--rush-every")?)?;
                if o.rush_every == 0 {
                    return Err("--rush-every: at least 1 second".into());
                }
            }
            "--members-per-branch" => {
                o.members_per_branch = num("--members-per-branch", value("--members-per-branch")?)?
            }
            "--direct" => o.direct = true,
            "--out" => o.out = Some(value("--out")?.into()),
            "--pooler-port" => o.pooler_port = Some(num("--pooler-port", value("--pooler-port")?)?),
            "--stats-url" => o.stats_url = Some(value("--stats-url")?),
            "--db" => o.db = value("--db")?,
            "--keep-db" => o.keep_db = true,
            "--help" | "-h" => return Err(String::new()),
            _ => return Err(format!("unknown option {a}")),
        }
    }
    if !(1..=9999).contains(&o.branches) || !(1..=50).contains(&o.desks) {
        return Err("--branches is 1 to 9999 and --desks 1 to 50".into());
    }
    if o.seconds == 0 || !(o.think > 0.0 && o.think < 3600.0) || o.members_per_branch < 10 {
        return Err(
            "--seconds and --think must be positive, --members-per-branch at least 10".into(),
        );
    }
    if !o
        .db
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err("--db: lowercase letters, digits and underscores".into());
    }
    if !o.direct && o.pooler_port.is_none() {
        return Err(
            "through PgBouncer the desks need --pooler-port (or $PGBOUNCER_PORT); --direct skips the pooler".into(),
        );
    }
    Ok(o)
}

/// Runs `load` with its arguments; the process's exit code.
pub async fn main(args: Vec<String>) -> i32 {
    let o = match parse(args) {
        Ok(o) => o,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("{e}");
            }
            eprintln!("{USAGE}");
            return 2;
        }
    };
    match run(&o).await {
        Ok(true) => 0,
        Ok(false) => 1,
        Err(e) => {
            eprintln!("\nFAILED: {e}");
            1
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The club for the load: branches, staff, desk roles, classes, slots, bookings.

#[derive(sqlx::FromRow)]
struct MemberRow {
    home_branch_id: Uuid,
    id: Uuid,
    first_name: String,
    last_name: String,
    status: String,
    plan_id: Option<Uuid>,
}

struct MemberRef {
    id: Uuid,
    first: String,
    last: String,
}

/// What the desks of one branch know before they start.
struct BranchInfo {
    index: usize,
    id: Uuid,
    code: String,
    role: String,
    tz: Tz,
    /// Staff email per desk (desk 0: the branch manager).
    staff: Vec<String>,
    members: Vec<MemberRef>,
    /// Indices into `members`: active members, and active members on the unlimited plan.
    active: Vec<usize>,
    premium: Vec<usize>,
    /// Round r of the rush: the slot or class all desks aim at.
    rush: Vec<Option<(BookingKind, Uuid)>>,
    rush_phase: Duration,
}

struct World {
    branches: Vec<Arc<BranchInfo>>,
    members: i64,
    classes: i64,
    slots: i64,
    bookings: i64,
}

async fn count(admin: &PgPool, sql: &str) -> R<i64> {
    Ok(sqlx::query_scalar::<_, i64>(sql).fetch_one(admin).await?)
}

async fn setup(admin: &PgPool, o: &Opts, password: &str) -> R<World> {
    let t = Instant::now();
    let members = (o.branches as u32 * o.members_per_branch).max(2_000);
    let club = generate_club(admin, &ClubSpec { seed: 7, members }).await?;
    println!(
        "  generated the club: {members} members in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let template = club.branch("LDN").id;
    let premium_plan = club.plan("PREMIUM");

    let t = Instant::now();
    let rows: Vec<(Uuid, String, String)> = sqlx::query_as(
        "insert into branches (code, name, timezone)
         select format('L%s', lpad(i::text, 4, '0')), format('Load Branch %s', i),
                (array['Europe/London', 'America/New_York', 'Australia/Sydney'])[1 + i % 3]
         from generate_series(1, $1) i
         returning id, code, timezone",
    )
    .bind(o.branches as i32)
    .fetch_all(admin)
    .await?;
    let mut rows = rows;
    rows.sort_by(|a, b| a.1.cmp(&b.1));
    let ids: Vec<Uuid> = rows.iter().map(|r| r.0).collect();
    let mut tx = admin.begin().await?;
    sqlx::query(
        "insert into facilities (branch_id, name, kind, is_active, under_maintenance, available_days)
         select b, f.name, f.kind, f.is_active, f.under_maintenance, f.available_days
         from unnest($1::uuid[]) b cross join facilities f where f.branch_id = $2",
    )
    .bind(&ids)
    .bind(template)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "insert into benefit_settings (facility_id, open_time, close_time, slot_minutes, capacity)
         select nf.id, s.open_time, s.close_time, s.slot_minutes, s.capacity
         from facilities nf
         join facilities tf on tf.name = nf.name and tf.branch_id = $2
         join benefit_settings s on s.facility_id = tf.id
         where nf.branch_id = any($1)",
    )
    .bind(&ids)
    .bind(template)
    .execute(&mut *tx)
    .await?;
    // Every member gets one of the load's branches as home, in turn.
    sqlx::query(
        "update members m set home_branch_id = x.b
         from (select id, ($1::uuid[])[1 + ((row_number() over (order by member_number) - 1) % $2)::int] as b
               from members) x
         where x.id = m.id",
    )
    .bind(&ids)
    .bind(ids.len() as i64)
    .execute(&mut *tx)
    .await?;
    // Staff: the manager at desk 0, front desk at the others; one PIN hash for all of them.
    let pin_hash = desk_pin_hash(PIN)?;
    let mut staff_emails: Vec<Vec<String>> = Vec::new();
    let (mut sb, mut se, mut sn, mut sr) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (id, code, _) in &rows {
        let mut emails = Vec::new();
        for d in 0..o.desks {
            let (role, what) = if d == 0 {
                ("manager", "manager")
            } else {
                ("front_desk", "desk")
            };
            let email = format!(
                "{}.d{d}.{what}@{}",
                code.to_lowercase(),
                branch_desk_core::generator::STAFF_EMAIL_DOMAIN
            );
            sb.push(*id);
            se.push(email.clone());
            sn.push(format!(
                "{} {code} Desk {d}",
                if d == 0 { "Manager" } else { "Staff" }
            ));
            sr.push(role.to_owned());
            emails.push(email);
        }
        staff_emails.push(emails);
    }
    sqlx::query(
        "insert into staff (branch_id, email, full_name, role, pin_hash)
         select b, e, n, r, $5 from unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) as x(b, e, n, r)",
    )
    .bind(&sb)
    .bind(&se)
    .bind(&sn)
    .bind(&sr)
    .bind(&pin_hash)
    .execute(&mut *tx)
    .await?;
    // Classes: the generator's timetable every day from last Monday to next Sunday, local time.
    let mut values = String::new();
    for (i, (title, start, minutes, capacity, instructor)) in TIMETABLE.iter().enumerate() {
        if i > 0 {
            values.push_str(", ");
        }
        let _ = write!(
            values,
            "('{title}', time '{start}', {minutes}, {capacity}, '{instructor}')"
        );
    }
    sqlx::query(&format!(
        "insert into classes (branch_id, title, instructor, starts_at, ends_at, capacity)
         select b.id, t.title, t.instructor, (d::date + t.start) at time zone b.timezone,
                (d::date + t.start) at time zone b.timezone + make_interval(mins => t.minutes), t.capacity
         from branches b
         cross join lateral generate_series(date_trunc('week', now() at time zone b.timezone) - interval '7 days',
                                            date_trunc('week', now() at time zone b.timezone) + interval '13 days',
                                            interval '1 day') d
         cross join (values {values}) t(title, start, minutes, capacity, instructor)
         where b.id = any($1)"
    ))
    .bind(&ids)
    .execute(&mut *tx)
    .await?;
    let rounds = (o.seconds / o.rush_every) as usize + 2;
    // The rush rounds' small classes: tomorrow from 06:00, M-1 places (at least 1).
    sqlx::query(
        "insert into classes (branch_id, title, instructor, starts_at, ends_at, capacity)
         select b.id, $2, 'Kofi Mensah',
                ((now() at time zone b.timezone)::date + 1 + time '06:00' + k * interval '20 minutes') at time zone b.timezone,
                ((now() at time zone b.timezone)::date + 1 + time '06:45' + k * interval '20 minutes') at time zone b.timezone,
                $3
         from branches b cross join generate_series(0, $4) k
         where b.id = any($1)",
    )
    .bind(&ids)
    .bind(RUSH_CLASS)
    .bind((o.desks as i32 - 1).max(1))
    .bind(rounds as i32)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;

    // This week's recovery slots (and the next two days, for the rush): one call per branch.
    let made: i64 = sqlx::query_scalar(
        "select coalesce(sum(public.ensure_facility_slots(b.id, w.monday, greatest(w.monday + 6, w.today + 2))), 0)::int8
         from branches b
         cross join lateral (select date_trunc('week', now() at time zone b.timezone)::date as monday,
                                    (now() at time zone b.timezone)::date as today) w
         where b.id = any($1)",
    )
    .bind(&ids)
    .fetch_one(admin)
    .await?;
    let t_slots = t.elapsed().as_secs_f64();

    // History and upcoming bookings: 5 to 35 % of each class, 0 to 60 % of each open slot, by
    // active members of the branch (consecutive in a shuffled order, so never one twice).
    let mut tx = admin.begin().await?;
    sqlx::query(
        "with bm as (select home_branch_id as b, array_agg(id order by md5(id::text)) as ids
                     from members where status = 'active' and home_branch_id = any($1) group by 1)
         insert into class_bookings (class_id, member_id, branch_id, starts_at, status)
         select c.id, bm.ids[1 + ((abs(hashtext(c.id::text)::int8) + i) % cardinality(bm.ids))::int],
                c.branch_id, c.starts_at,
                case when c.starts_at >= now() then 'booked' when i % 9 = 0 then 'no_show' else 'attended' end
         from classes c join bm on bm.b = c.branch_id
         cross join lateral generate_series(1, least(cardinality(bm.ids),
              floor(c.capacity * (0.05 + 0.30 * (abs(hashtext(c.id::text || '/fill')::int8) % 100) / 100.0))::int)) i
         where c.branch_id = any($1) and c.title <> $2",
    )
    .bind(&ids)
    .bind(RUSH_CLASS)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "with bm as (select home_branch_id as b, array_agg(id order by md5(id::text)) as ids
                     from members where status = 'active' and home_branch_id = any($1) group by 1)
         insert into benefit_bookings (slot_id, member_id, branch_id, starts_at, status)
         select s.id, bm.ids[1 + ((abs(hashtext(s.id::text)::int8) + i) % cardinality(bm.ids))::int],
                s.branch_id, s.starts_at,
                case when s.starts_at >= now() then 'booked' else 'attended' end
         from benefit_slots s
         join facilities f on f.id = s.facility_id and f.is_active and not f.under_maintenance
         join bm on bm.b = s.branch_id
         cross join lateral generate_series(1, least(cardinality(bm.ids),
              floor(s.capacity * (abs(hashtext(s.id::text || '/fill')::int8) % 100) / 160.0)::int)) i
         where s.branch_id = any($1)",
    )
    .bind(&ids)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "update classes c set booked_count = x.live
         from (select class_id, count(*) filter (where status in ('booked', 'attended', 'no_show')) as live
               from class_bookings where branch_id = any($1) group by class_id) x
         where x.class_id = c.id",
    )
    .bind(&ids)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "update benefit_slots s set booked_count = x.live
         from (select slot_id, count(*) filter (where status in ('booked', 'attended', 'no_show')) as live
               from benefit_bookings where branch_id = any($1) group by slot_id) x
         where x.slot_id = s.id",
    )
    .bind(&ids)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;

    // One desk role per branch, shared by its desks, with a password (SCRAM) for PgBouncer.
    let t_roles = Instant::now();
    for (id, code, _) in &rows {
        create_desk_role(admin, &role_name(code), Some(password), Some(*id)).await?;
    }
    let t_roles = t_roles.elapsed().as_secs_f64();
    sqlx::query("vacuum analyze").execute(admin).await?;

    // What the desks know: their members (to type their names), the rush targets.
    let member_rows: Vec<MemberRow> = sqlx::query_as(
        "select home_branch_id, id, first_name, last_name, status, plan_id
         from members where home_branch_id = any($1) order by member_number",
    )
    .bind(&ids)
    .fetch_all(admin)
    .await?;
    let rush_slots: Vec<(Uuid, Uuid)> = sqlx::query_as(
        "select s.branch_id, s.id from benefit_slots s join facilities f on f.id = s.facility_id
         where f.name = 'Cold Plunge' and f.is_active and not f.under_maintenance
           and s.branch_id = any($1) and s.starts_at > now() + interval '1 hour'
         order by s.branch_id, s.starts_at",
    )
    .bind(&ids)
    .fetch_all(admin)
    .await?;
    let rush_classes: Vec<(Uuid, Uuid)> = sqlx::query_as(
        "select branch_id, id from classes where branch_id = any($1) and title = $2 order by branch_id, starts_at",
    )
    .bind(&ids)
    .bind(RUSH_CLASS)
    .fetch_all(admin)
    .await?;
    let index: HashMap<Uuid, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let mut per_members: Vec<Vec<MemberRow>> = (0..ids.len()).map(|_| Vec::new()).collect();
    for row in member_rows {
        per_members[index[&row.home_branch_id]].push(row);
    }
    let mut per_slots: Vec<Vec<Uuid>> = (0..ids.len()).map(|_| Vec::new()).collect();
    for (b, id) in rush_slots {
        per_slots[index[&b]].push(id);
    }
    let mut per_classes: Vec<Vec<Uuid>> = (0..ids.len()).map(|_| Vec::new()).collect();
    for (b, id) in rush_classes {
        per_classes[index[&b]].push(id);
    }
    let mut branches = Vec::new();
    for (i, ((id, code, tz), emails)) in rows.iter().zip(staff_emails).enumerate() {
        let mut members = Vec::new();
        let (mut active, mut premium) = (Vec::new(), Vec::new());
        for (n, m) in per_members[i].drain(..).enumerate() {
            if m.status == "active" {
                active.push(n);
                if m.plan_id == Some(premium_plan) {
                    premium.push(n);
                }
            }
            members.push(MemberRef {
                id: m.id,
                first: m.first_name,
                last: m.last_name,
            });
        }
        // Alternate: even rounds a Cold Plunge slot (every other one, so rounds never share
        // one), odd rounds a small class.
        let rush = (0..rounds)
            .map(|r| {
                if r % 2 == 0 {
                    per_slots[i].get(r).map(|s| (BookingKind::Recovery, *s))
                } else {
                    per_classes[i].get(r / 2).map(|c| (BookingKind::Class, *c))
                }
            })
            .collect();
        branches.push(Arc::new(BranchInfo {
            index: i,
            id: *id,
            code: code.clone(),
            role: role_name(code),
            tz: tz.parse().map_err(|_| format!("time zone {tz}"))?,
            staff: emails,
            members,
            active,
            premium,
            rush,
            rush_phase: Duration::from_millis(2_000 + (i as u64 * 7_919) % (o.rush_every * 1_000)),
        }));
    }
    let world = World {
        branches,
        members: count(
            admin,
            "select count(*) from members",
        )
        .await?,
        classes: count(admin, "select count(*) from classes").await?,
        slots: count(admin, "select count(*) from benefit_slots").await?,
        bookings: count(
            admin,
            "select (select count(*) from class_bookings) + (select count(*) from benefit_bookings)",
        )
        .await?,
    };
    println!(
        "  {} branches: facilities, staff, {} classes, {made} slots made in {t_slots:.1} s; {} bookings; {} desk roles in {t_roles:.1} s",
        o.branches, world.classes, world.bookings, o.branches
    );
    Ok(world)
}

/// The simulated staff's PIN hash: argon2id at its least cost (8 KiB, one pass), not the app's
/// (`branch_desk_core::pin::hash_pin`, 19 MiB, two passes). A desk checks a PIN on its own PC;
/// here every simulated desk checks it on the 2 cores PostgreSQL has. With the app's cost the
/// bench took 1.3 to 2 of them while 1,500 desks opened (`top`, 2026-12-03, 500 x 3), so
/// PostgreSQL held its server connections unscheduled and desks queued in PgBouncer behind it.
/// `sign_in` verifies with the cost the hash names, through the app's own code.
fn desk_pin_hash(pin: &str) -> R<String> {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let params = argon2::Params::new(argon2::Params::MIN_M_COST, 1, 1, None)
        .map_err(|e| format!("argon2 parameters: {e}"))?;
    let salt = SaltString::encode_b64(b"branch-desk-load").map_err(|e| format!("salt: {e}"))?;
    Ok(
        argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
            .hash_password(pin.as_bytes(), &salt)
            .map_err(|e| format!("PIN hash: {e}"))?
            .to_string(),
    )
}

fn role_name(code: &str) -> String {
    format!("load_desk_{}", code.to_lowercase())
}

/// PgBouncer's auth_query runs in the desk's database: without the lookup there (a database
/// made before `pgbouncer_start` installed it in template1), install it as the superuser.
async fn ensure_pooler_lookup(admin: &PgPool) -> R<()> {
    let present: bool =
        sqlx::query_scalar("select to_regprocedure('branch_desk_pooler.lookup(text)') is not null")
            .fetch_one(admin)
            .await?;
    if present {
        return Ok(());
    }
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/pgbouncer/auth.sql");
    let sql = std::fs::read_to_string(path).map_err(|e| {
        format!("the database has no PgBouncer lookup (branch_desk_pooler.lookup) and {path} cannot be read: {e}")
    })?;
    sqlx::raw_sql(&sql).execute(admin).await?;
    println!("  installed PgBouncer's auth_query lookup ({path}) in the load database");
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Measurements.

#[derive(Default, Debug, Clone)]
struct ActionStats {
    samples: Vec<f64>,
    ok: u64,
    answers: BTreeMap<String, u64>,
    errors: BTreeMap<String, u64>,
    /// Of `errors`: the database could not be reached or was out of connections.
    connection_errors: u64,
}

impl ActionStats {
    fn merge(&mut self, other: ActionStats) {
        self.samples.extend(other.samples);
        self.ok += other.ok;
        for (k, v) in other.answers {
            *self.answers.entry(k).or_default() += v;
        }
        for (k, v) in other.errors {
            *self.errors.entry(k).or_default() += v;
        }
        self.connection_errors += other.connection_errors;
    }
    fn errors(&self) -> u64 {
        self.errors.values().sum()
    }
    fn answers(&self) -> u64 {
        self.answers.values().sum()
    }
}

#[derive(Default)]
struct Live {
    calls: AtomicU64,
    errors: AtomicU64,
    printed_errors: AtomicU64,
    opened: AtomicUsize,
}

/// Full, Already booked and Allowance used are what a desk is told, not failures.
fn answer(e: &Error) -> Option<&'static str> {
    match e {
        Error::Full { .. } => Some("full"),
        Error::AlreadyBooked => Some("already_booked"),
        Error::AllowanceUsed { .. } => Some("allowance_used"),
        _ => None,
    }
}

fn is_connection_error(e: &Error) -> bool {
    matches!(
        e,
        Error::Busy(_) | Error::Unavailable(_) | Error::LoginRefused
    )
}

/// The error's kind and message, with the database's own words where the desk would only say
/// "unavailable" or "internal".
fn describe(e: &Error) -> String {
    let text = match e {
        Error::Busy(s) | Error::Unavailable(s) | Error::Database(s) => format!("{e} ({s})"),
        _ => e.to_string(),
    };
    let mut text: String = text.chars().take(300).collect();
    if text.len() >= 300 {
        text.push('…');
    }
    format!("{}: {text}", e.code())
}

// ---------------------------------------------------------------------------------------------
// A desk.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Booked,
    Waitlisted,
    Attended,
    Cancelled,
}

/// A booking a desk was told was made, and what the desk did with it since.
#[derive(Debug, Clone)]
struct Tracked {
    kind: BookingKind,
    id: Uuid,
    key: Uuid,
    member: Uuid,
    member_index: usize,
    target: Uuid,
    status: Expect,
}

struct RunCtx {
    conn: ClubConnection,
    password: String,
    t0: Instant,
    deadline: Instant,
    think: f64,
    rush_every: u64,
    desks: usize,
    live: Live,
}

struct DeskRun {
    ctx: Arc<RunCtx>,
    b: Arc<BranchInfo>,
    d: usize,
    rng: SmallRng,
    desk: Option<Desk>,
    staff_id: Option<Uuid>,
    manager: bool,
    stats: BTreeMap<&'static str, ActionStats>,
    mine: Vec<Tracked>,
    next_rush: usize,
}

struct DeskOutcome {
    stats: BTreeMap<&'static str, ActionStats>,
    tracked: Vec<Tracked>,
}

/// One desk command the way the app runs every one: a transaction of its own from
/// `Desk::begin`, the core function given the transaction's connection, committed on success.
/// Timed and recorded under `$action`; evaluates to the command's result.
macro_rules! desk_call {
    ($self:ident, $action:expr, |$c:ident| $body:expr) => {{
        let started = Instant::now();
        let result: Result<_, Error> = async {
            let desk = $self.desk.as_ref().expect("an open desk");
            let mut tx = desk.begin().await?;
            let $c: &mut PgConnection = &mut tx;
            let out = $body;
            tx.commit().await?;
            Ok(out)
        }
        .await;
        $self.record($action, started.elapsed(), &result);
        result
    }};
}

fn ms_between(rng: &mut SmallRng, lo: u64, hi: u64) -> Duration {
    Duration::from_millis(rng.gen_range(lo..=hi))
}

impl DeskRun {
    fn done(&self) -> bool {
        Instant::now() >= self.ctx.deadline
    }

    fn record<T>(&mut self, action: &'static str, took: Duration, r: &Result<T, Error>) {
        let s = self.stats.entry(action).or_default();
        s.samples.push(took.as_secs_f64() * 1000.0);
        self.ctx.live.calls.fetch_add(1, Ordering::Relaxed);
        match r {
            Ok(_) => s.ok += 1,
            Err(e) => match answer(e) {
                Some(kind) => *s.answers.entry(kind.to_owned()).or_default() += 1,
                None => {
                    let text = describe(e);
                    if is_connection_error(e) {
                        s.connection_errors += 1;
                    }
                    *s.errors.entry(text.clone()).or_default() += 1;
                    self.ctx.live.errors.fetch_add(1, Ordering::Relaxed);
                    if self.ctx.live.printed_errors.fetch_add(1, Ordering::Relaxed) < 10 {
                        eprintln!(
                            "  error: {action} at {} desk {}: {text}",
                            self.b.code, self.d
                        );
                    }
                }
            },
        }
    }

    fn failure(&mut self, action: &'static str, text: String) {
        let s = self.stats.entry(action).or_default();
        *s.errors.entry(text.clone()).or_default() += 1;
        self.ctx.live.errors.fetch_add(1, Ordering::Relaxed);
        eprintln!(
            "  error: {action} at {} desk {}: {text}",
            self.b.code, self.d
        );
    }

    fn rush_at(&self, round: usize) -> Option<Instant> {
        (round < self.b.rush.len()).then(|| {
            self.ctx.t0
                + self.b.rush_phase
                + Duration::from_secs(self.ctx.rush_every) * round as u32
        })
    }

    /// Waits `d` (never past the deadline). A rush round that falls in the wait is run at its
    /// instant, by every desk of the branch at once.
    async fn pause(&mut self, d: Duration) {
        let until = (Instant::now() + d).min(self.ctx.deadline);
        while let Some(at) = self.rush_at(self.next_rush).filter(|at| *at <= until) {
            tokio::time::sleep_until(at.into()).await;
            let round = self.next_rush;
            self.next_rush += 1;
            if self.staff_id.is_some() && !self.done() {
                self.rush(round).await;
            }
        }
        tokio::time::sleep_until(until.into()).await;
    }

    async fn pause_ms(&mut self, lo: u64, hi: u64) -> bool {
        let d = ms_between(&mut self.rng, lo, hi);
        self.pause(d).await;
        !self.done()
    }

    fn today(&self) -> NaiveDate {
        Utc::now().with_timezone(&self.b.tz).date_naive()
    }

    fn request(&mut self, kind: BookingKind, target: Uuid, member: Uuid) -> BookingRequest {
        BookingRequest {
            kind,
            target_id: target,
            member_id: member,
            idempotency_key: Uuid::new_v4(),
            staff_id: self.staff_id,
            override_capacity: false,
            override_allowance: false,
            override_reason: None,
            join_waitlist: false,
        }
    }

    /// Opens the desk (connect, verify, sign the staff member in), retrying while the database
    /// refuses (as the desk's banner does). False when the run ended first.
    async fn open(&mut self) -> bool {
        let mut conn = self.ctx.conn.clone();
        conn.desk_role = self.b.role.clone();
        while self.desk.is_none() {
            if self.done() {
                return false;
            }
            let t = Instant::now();
            let r = connect_club(&conn, &self.ctx.password).await;
            self.record("open_desk", t.elapsed(), &r);
            match r {
                Ok(desk) => self.desk = Some(desk),
                Err(_) => {
                    let d = ms_between(&mut self.rng, 3_000, 8_000);
                    self.pause(d).await;
                }
            }
        }
        let email = self.b.staff[self.d].clone();
        while self.staff_id.is_none() {
            if self.done() {
                return false;
            }
            let t = Instant::now();
            let r = async {
                let desk = self.desk.as_ref().expect("an open desk");
                let mut tx = desk.begin().await?;
                let signed_in = sign_in(&mut tx, &email, PIN).await;
                // Committed whatever the PIN, as the app does (the attempt is counted).
                tx.commit().await?;
                signed_in
            }
            .await;
            self.record("sign_in", t.elapsed(), &r);
            match r {
                Ok(s) => {
                    self.staff_id = Some(s.id);
                    self.manager = s.can_override;
                }
                Err(_) => {
                    let d = ms_between(&mut self.rng, 3_000, 8_000);
                    self.pause(d).await;
                }
            }
        }
        self.ctx.live.opened.fetch_add(1, Ordering::Relaxed);
        true
    }

    async fn work(&mut self) {
        loop {
            let think = self.ctx.think * self.rng.gen_range(0.5..1.5);
            self.pause(Duration::from_secs_f64(think)).await;
            if self.done() {
                break;
            }
            match self.rng.gen_range(0..100) {
                0..=37 => self.visit_book().await,
                38..=51 => self.visit_check_in().await,
                52..=57 => self.visit_cancel().await,
                58..=67 => self.week_view().await,
                68..=76 => {
                    let _ = self.class_list().await;
                }
                77..=89 => self.all_bookings().await,
                _ => {
                    let m = self.rng.gen_range(0..self.b.members.len());
                    self.find_member(m).await;
                }
            }
        }
    }

    /// A member at the desk: type their name a keystroke at a time until they show up, then open
    /// their panel. As in the app (ui/src/widgets/member-search.ts), a search goes out once the
    /// typing pauses for [`SEARCH_DEBOUNCE_MS`]: a keystroke followed sooner by the next one
    /// sends none. False when the run ended or the panel failed.
    async fn find_member(&mut self, index: usize) -> bool {
        let b = self.b.clone();
        let m = &b.members[index];
        let text: Vec<char> = format!("{} {}", m.first, m.last).chars().collect();
        let mut n = text.len().min(2);
        loop {
            let gap = ms_between(&mut self.rng, 150, 300);
            if gap >= Duration::from_millis(SEARCH_DEBOUNCE_MS) || n >= text.len() {
                let q: String = text[..n].iter().collect();
                let r = desk_call!(self, "search", |c| search_members(&mut *c, &q, 20).await?);
                let found = matches!(&r, Ok(hits) if hits.iter().any(|h| h.member_id == m.id));
                if (found && n >= 4) || n >= text.len() {
                    break;
                }
            }
            n += 1;
            self.pause(gap).await;
            if self.done() {
                return false;
            }
        }
        if !self.pause_ms(300, 800).await {
            return false;
        }
        let id = m.id;
        desk_call!(self, "member_panel", |c| member_panel(c, id, Utc::now())
            .await?)
        .is_ok()
    }

    async fn week(&mut self, next: bool) -> Option<Schedule> {
        let today = self.today();
        let monday = today - chrono::Duration::days(today.weekday().num_days_from_monday() as i64);
        let start = if next {
            monday + chrono::Duration::days(7)
        } else {
            monday
        };
        let branch = self.b.id;
        let action = if next {
            "schedule_next_week"
        } else {
            "schedule_this_week"
        };
        desk_call!(self, action, |c| schedule(
            c,
            branch,
            start,
            start + chrono::Duration::days(6)
        )
        .await?)
        .ok()
    }

    async fn class_list(&mut self) -> Option<Vec<Class>> {
        let (branch, today) = (self.b.id, self.today());
        desk_call!(self, "class_list", |c| list_classes_on_days(
            &mut *c, branch, today, 7
        )
        .await?)
        .ok()
    }

    async fn week_view(&mut self) {
        let next = self.rng.gen_bool(0.4);
        let _ = self.week(next).await;
    }

    /// Books, tracks what the desk was told and, now and then, sends the same confirm again (a
    /// double click, a retry after a slow answer): the same booking must come back.
    async fn book(&mut self, action: &'static str, req: BookingRequest) -> Result<Booking, Error> {
        let r = desk_call!(self, action, |c| bookings::book(&mut *c, &req).await?);
        if let Ok(booking) = &r {
            self.mine.push(Tracked {
                kind: req.kind,
                id: booking.id,
                key: req.idempotency_key,
                member: req.member_id,
                member_index: self
                    .b
                    .members
                    .iter()
                    .position(|m| m.id == req.member_id)
                    .unwrap_or(0),
                target: req.target_id,
                status: if booking.status == "waitlisted" {
                    Expect::Waitlisted
                } else {
                    Expect::Booked
                },
            });
            if self.rng.gen_ratio(1, 10) {
                tokio::time::sleep(ms_between(&mut self.rng, 50, 150)).await;
                let again = desk_call!(self, "book_retry", |c| bookings::book(&mut *c, &req)
                    .await?);
                if let Ok(b2) = again {
                    if b2.id != booking.id {
                        self.failure(
                            "book_retry",
                            "idempotency: the same confirm returned another booking".into(),
                        );
                    }
                }
            }
        }
        r
    }

    /// A member asks for a recovery session or a class: find them, open the week or the
    /// classes, choose, confirm.
    async fn visit_book(&mut self) {
        if self.b.active.is_empty() {
            return;
        }
        let index = self.b.active[self.rng.gen_range(0..self.b.active.len())];
        let member = self.b.members[index].id;
        if !self.find_member(index).await || !self.pause_ms(500, 1_500).await {
            return;
        }
        let soon = Utc::now() + chrono::Duration::minutes(10);
        if self.rng.gen_bool(0.55) {
            let next = self.rng.gen_bool(0.2);
            let Some(week) = self.week(next).await else {
                return;
            };
            let open: HashSet<Uuid> = week
                .facilities
                .iter()
                .filter(|f| f.is_active && !f.under_maintenance)
                .map(|f| f.id)
                .collect();
            let mut slots: Vec<_> = week
                .slots
                .iter()
                .filter(|s| open.contains(&s.facility_id) && s.starts_at > soon && !s.is_full())
                .collect();
            slots.sort_by_key(|s| s.starts_at);
            slots.truncate(48);
            if slots.is_empty() {
                return;
            }
            let slot = slots[self.rng.gen_range(0..slots.len())].id;
            if !self.pause_ms(800, 2_500).await {
                return;
            }
            let req = self.request(BookingKind::Recovery, slot, member);
            let _ = self.book("book_recovery", req).await;
        } else {
            let Some(classes) = self.class_list().await else {
                return;
            };
            let future: Vec<&Class> = classes
                .iter()
                .filter(|c| c.title != RUSH_CLASS && c.starts_at > soon)
                .collect();
            let with_places: Vec<&&Class> = future
                .iter()
                .filter(|c| c.booked_count < c.capacity)
                .collect();
            let class = if !with_places.is_empty() {
                with_places[self.rng.gen_range(0..with_places.len())].id
            } else if !future.is_empty() {
                future[self.rng.gen_range(0..future.len())].id
            } else {
                return;
            };
            if !self.pause_ms(800, 2_500).await {
                return;
            }
            let req = self.request(BookingKind::Class, class, member);
            if let Err(Error::Full { .. }) = self.book("book_class", req).await {
                if self.rng.gen_bool(0.5) {
                    let mut req = self.request(BookingKind::Class, class, member);
                    req.join_waitlist = true;
                    let _ = self.book("waitlist_join", req).await;
                }
            }
        }
    }

    fn own(&mut self, statuses: &[Expect]) -> Option<usize> {
        let candidates: Vec<usize> = (0..self.mine.len())
            .filter(|i| statuses.contains(&self.mine[*i].status))
            .collect();
        (!candidates.is_empty()).then(|| candidates[self.rng.gen_range(0..candidates.len())])
    }

    /// A member arrives for a booking this desk made: find them, check them in.
    async fn visit_check_in(&mut self) {
        let Some(i) = self.own(&[Expect::Booked]) else {
            return self.visit_book().await;
        };
        let (kind, id, member_index) = (
            self.mine[i].kind,
            self.mine[i].id,
            self.mine[i].member_index,
        );
        if !self.find_member(member_index).await || !self.pause_ms(400, 1_200).await {
            return;
        }
        let staff = self.staff_id.expect("signed in");
        let r = desk_call!(self, "check_in", |c| bookings::set_attendance(
            &mut *c,
            kind,
            id,
            Attendance::Attended,
            staff
        )
        .await?);
        if r.is_ok() {
            self.mine[i].status = Expect::Attended;
        }
    }

    /// A member calls to cancel a booking this desk made.
    async fn visit_cancel(&mut self) {
        let Some(i) = self.own(&[Expect::Booked, Expect::Waitlisted]) else {
            let m = self.rng.gen_range(0..self.b.members.len());
            self.find_member(m).await;
            return;
        };
        let (kind, id, member_index) = (
            self.mine[i].kind,
            self.mine[i].id,
            self.mine[i].member_index,
        );
        if !self.find_member(member_index).await || !self.pause_ms(600, 1_500).await {
            return;
        }
        let staff = self.staff_id;
        let r = desk_call!(self, "cancel", |c| bookings::cancel(
            &mut *c, kind, id, staff
        )
        .await?);
        if let Ok(promoted) = r {
            self.mine[i].status = Expect::Cancelled;
            if let Some(p) = promoted {
                if let Some(t) = self.mine.iter_mut().find(|t| t.id == p) {
                    t.status = Expect::Booked;
                }
            }
        }
    }

    /// All Bookings from today: the first page and the total at once (two transactions on the
    /// desk's two connections, as the app asks for them), sometimes the next page.
    async fn all_bookings(&mut self) {
        let today = self.today();
        let from = self
            .b
            .tz
            .from_local_datetime(&today.and_hms_opt(0, 0, 0).expect("midnight"))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(Utc::now);
        let filter = BookingFilter {
            branch_id: Some(self.b.id),
            from: Some(from),
            ..BookingFilter::default()
        };
        let first = PageRequest {
            after: None,
            limit: 50,
            sort: Sort::StartsAsc,
        };
        let desk = self.desk.as_ref().expect("an open desk");
        let page = async {
            let t = Instant::now();
            let r = async {
                let mut tx = desk.begin().await?;
                let p = bookings::list_bookings(&mut tx, &filter, &first).await?;
                tx.commit().await?;
                Ok::<_, Error>(p)
            }
            .await;
            (t.elapsed(), r)
        };
        let total = async {
            let t = Instant::now();
            let r = async {
                let mut tx = desk.begin().await?;
                let n = bookings::count_bookings(&mut tx, &filter).await?;
                tx.commit().await?;
                Ok::<_, Error>(n)
            }
            .await;
            (t.elapsed(), r)
        };
        let ((tp, page), (tc, total)) = tokio::join!(page, total);
        self.record("bookings_page", tp, &page);
        self.record("bookings_count", tc, &total);
        let Ok(page) = page else { return };
        if let Some(next) = page.next.filter(|_| self.rng.gen_bool(0.4)) {
            if !self.pause_ms(1_000, 3_000).await {
                return;
            }
            let req = PageRequest {
                after: Some(next),
                ..first
            };
            let _ = desk_call!(self, "bookings_next_page", |c| bookings::list_bookings(
                c, &filter, &req
            )
            .await?);
        }
    }

    /// Every desk of the branch at the same instant, each for its own member, into the same
    /// nearly-full slot or class. The manager (desk 0) overrides capacity on some rounds; the
    /// others put the member on a full class's waitlist.
    async fn rush(&mut self, round: usize) {
        let Some((kind, target)) = self.b.rush[round] else {
            return;
        };
        let pool = if self.b.premium.len() >= self.ctx.desks {
            &self.b.premium
        } else {
            &self.b.active
        };
        if pool.is_empty() {
            return;
        }
        let member = self.b.members[pool[(round * self.ctx.desks + self.d) % pool.len()]].id;
        let req = self.request(kind, target, member);
        if let Err(Error::Full { .. }) = self.book("rush_book", req).await {
            if self.manager && round % 4 < 2 {
                let mut req = self.request(kind, target, member);
                req.override_capacity = true;
                req.override_reason = Some(OVERRIDE_REASON.into());
                let _ = self.book("override_book", req).await;
            } else if kind == BookingKind::Class {
                let mut req = self.request(kind, target, member);
                req.join_waitlist = true;
                let _ = self.book("waitlist_join", req).await;
            }
        }
    }
}

async fn desk_main(ctx: Arc<RunCtx>, b: Arc<BranchInfo>, d: usize, start: Instant) -> DeskOutcome {
    let mut run = DeskRun {
        rng: SmallRng::seed_from_u64(((b.index as u64) << 8) + d as u64),
        ctx,
        b,
        d,
        desk: None,
        staff_id: None,
        manager: false,
        stats: BTreeMap::new(),
        mine: Vec::new(),
        next_rush: 0,
    };
    tokio::time::sleep_until(start.into()).await;
    if run.open().await {
        run.work().await;
    }
    if let Some(desk) = run.desk.take() {
        desk.pool.close().await;
    }
    DeskOutcome {
        stats: run.stats,
        tracked: run.mine,
    }
}

// ---------------------------------------------------------------------------------------------
// Sampling the server and PgBouncer.

#[derive(Debug, Default, Clone)]
struct Peaks {
    samples: u64,
    client_backends: i64,
    desk_backends: i64,
    active_backends: i64,
    /// PgBouncer, summed over the load database's pools.
    cl_waiting: i64,
    cl_active: i64,
    server_conns: i64,
    maxwait_s: f64,
    pooler_errors: u64,
    last_pooler_error: Option<String>,
}

#[derive(Debug, Default, Clone, Copy)]
struct BouncerStats {
    xacts: i64,
    queries: i64,
    wait_us: i64,
    xact_us: i64,
}

fn num(row: &PgRow, col: &str) -> i64 {
    row.try_get::<i64, _>(col)
        .ok()
        .or_else(|| row.try_get::<i32, _>(col).ok().map(i64::from))
        .or_else(|| {
            row.try_get_unchecked::<String, _>(col)
                .ok()
                .and_then(|s| s.trim().parse().ok())
        })
        .unwrap_or(0)
}

fn text(row: &PgRow, col: &str) -> String {
    row.try_get_unchecked::<String, _>(col).unwrap_or_default()
}

/// The console speaks only the simple query protocol: a plain `&str` without arguments is
/// sent as one.
async fn show(conn: &mut PgConnection, what: &str) -> Result<Vec<PgRow>, sqlx::Error> {
    use sqlx::Executor;
    conn.fetch_all(what).await
}

async fn bouncer_stats(conn: &mut PgConnection, db: &str) -> Result<BouncerStats, sqlx::Error> {
    let rows = show(conn, "show stats").await?;
    Ok(rows
        .iter()
        .find(|r| text(r, "database") == db)
        .map(|r| BouncerStats {
            xacts: num(r, "total_xact_count"),
            queries: num(r, "total_query_count"),
            wait_us: num(r, "total_wait_time"),
            xact_us: num(r, "total_xact_time"),
        })
        .unwrap_or_default())
}

async fn server_sessions(admin: &PgPool, db: &str) -> R<i64> {
    Ok(sqlx::query_scalar::<_, i64>(
        "select coalesce(sessions, 0) from pg_stat_database where datname = $1",
    )
    .bind(db)
    .fetch_optional(admin)
    .await?
    .unwrap_or(0))
}

async fn sampler(
    admin: PgPool,
    mut bouncer: Option<PgConnection>,
    db: String,
    ctx: Arc<RunCtx>,
    total_desks: usize,
    stop: Arc<AtomicBool>,
) -> (Peaks, Option<PgConnection>) {
    let mut p = Peaks::default();
    let mut tick = tokio::time::interval(Duration::from_millis(200));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let progress_every = Duration::from_secs(10);
    let mut next_progress = Instant::now() + progress_every;
    let (mut last_calls, mut last_at) = (0u64, Instant::now());
    let (mut window_conns, mut window_waiting) = (0i64, 0i64);
    while !stop.load(Ordering::Relaxed) {
        tick.tick().await;
        p.samples += 1;
        let counts: Result<(i64, i64, i64), _> = sqlx::query_as(
            "select count(*) filter (where backend_type = 'client backend'),
                    count(*) filter (where backend_type = 'client backend'
                                    and (usename::text like 'load\\_desk\\_%' or usename = 'branch_desk_server')),
                    count(*) filter (where backend_type = 'client backend' and state = 'active')
             from pg_stat_activity",
        )
        .fetch_one(&admin)
        .await;
        if let Ok((all, desks, active)) = counts {
            p.client_backends = p.client_backends.max(all);
            p.desk_backends = p.desk_backends.max(desks);
            p.active_backends = p.active_backends.max(active);
            window_conns = window_conns.max(all);
        }
        if let Some(conn) = bouncer.as_mut() {
            match show(conn, "show pools").await {
                Ok(rows) => {
                    let (mut waiting, mut active, mut servers, mut maxwait) = (0, 0, 0, 0f64);
                    for r in rows.iter().filter(|r| text(r, "database") == db) {
                        waiting += num(r, "cl_waiting");
                        active += num(r, "cl_active");
                        servers += ["sv_active", "sv_idle", "sv_used", "sv_tested", "sv_login"]
                            .iter()
                            .map(|c| num(r, c))
                            .sum::<i64>();
                        maxwait = maxwait
                            .max(num(r, "maxwait") as f64 + num(r, "maxwait_us") as f64 / 1e6);
                    }
                    p.cl_waiting = p.cl_waiting.max(waiting);
                    p.cl_active = p.cl_active.max(active);
                    p.server_conns = p.server_conns.max(servers);
                    p.maxwait_s = p.maxwait_s.max(maxwait);
                    window_waiting = window_waiting.max(waiting);
                }
                Err(e) => {
                    p.pooler_errors += 1;
                    p.last_pooler_error = Some(e.to_string());
                }
            }
        }
        if Instant::now() >= next_progress {
            let calls = ctx.live.calls.load(Ordering::Relaxed);
            let per_s = (calls - last_calls) as f64 / last_at.elapsed().as_secs_f64();
            println!(
                "  t={:>4.0}s  desks open {}/{}  calls {calls} ({per_s:.0}/s)  errors {}  server connections ≤{window_conns}{}",
                ctx.t0.elapsed().as_secs_f64(),
                ctx.live.opened.load(Ordering::Relaxed),
                total_desks,
                ctx.live.errors.load(Ordering::Relaxed),
                if bouncer.is_some() {
                    format!("  PgBouncer cl_waiting ≤{window_waiting}")
                } else {
                    String::new()
                }
            );
            (last_calls, last_at) = (calls, Instant::now());
            (window_conns, window_waiting) = (0, 0);
            next_progress += progress_every;
        }
    }
    (p, bouncer)
}

// ---------------------------------------------------------------------------------------------
// Invariants, checked by the administrator afterwards.

struct Checks(Vec<(String, bool)>);

impl Checks {
    fn check(&mut self, what: String, ok: bool) {
        self.0.push((what, ok));
    }
}

async fn invariants(admin: &PgPool, tracked: &[Tracked], run_start: DateTime<Utc>) -> R<Checks> {
    let mut c = Checks(Vec::new());
    for (kind, counter_table, table, col) in [
        (
            BookingKind::Recovery,
            "benefit_slots",
            "benefit_bookings",
            "slot_id",
        ),
        (BookingKind::Class, "classes", "class_bookings", "class_id"),
    ] {
        let (overbooked, over_no_override, counter_off, overrides): (i64, i64, i64, i64) =
            sqlx::query_as(&format!(
                "select count(*) filter (where coalesce(x.plain, 0) > t.capacity),
                        count(*) filter (where coalesce(x.live, 0) > t.capacity and coalesce(x.overrides, 0) = 0),
                        count(*) filter (where t.booked_count <> coalesce(x.live, 0)),
                        coalesce(sum(x.overrides), 0)::int8
                 from {counter_table} t
                 left join (select {col} as target,
                                   count(*) filter (where status in ('booked', 'attended', 'no_show')) as live,
                                   count(*) filter (where status in ('booked', 'attended', 'no_show') and not capacity_override) as plain,
                                   count(*) filter (where status in ('booked', 'attended', 'no_show') and capacity_override) as overrides
                            from {table} group by {col}) x on x.target = t.id"
            ))
            .fetch_one(admin)
            .await?;
        c.check(
            format!("{counter_table}: no overbooking ({overbooked} over capacity without counting overrides, {over_no_override} over capacity with no override recorded; {overrides} capacity overrides in all)"),
            overbooked == 0 && over_no_override == 0,
        );
        c.check(
            format!(
                "{counter_table}: booked_count equals the live bookings ({counter_off} differ)"
            ),
            counter_off == 0,
        );
        if kind == BookingKind::Class {
            let off: i64 = sqlx::query_scalar(
                "select count(*) from classes t
                 left join (select class_id, count(*) as n from class_bookings where status = 'waitlisted' group by 1) x
                   on x.class_id = t.id
                 where t.waitlist_count <> coalesce(x.n, 0)",
            )
            .fetch_one(admin)
            .await?;
            c.check(
                format!("classes: waitlist_count equals the waitlisted bookings ({off} differ)"),
                off == 0,
            );
        }
        let duplicates: i64 = sqlx::query_scalar(&format!(
            "select count(*) from (select 1 from {table} where status <> 'cancelled'
                                   group by {col}, member_id having count(*) > 1) x"
        ))
        .fetch_one(admin)
        .await?;
        c.check(
            format!("{table}: one live booking per member per {col} ({duplicates} duplicates)"),
            duplicates == 0,
        );
        let keys: i64 = sqlx::query_scalar(&format!(
            "select count(*) from (select 1 from {table} where idempotency_key is not null
                                   group by idempotency_key having count(*) > 1) x"
        ))
        .fetch_one(admin)
        .await?;
        c.check(
            format!("{table}: one booking per idempotency key ({keys} keys with more)"),
            keys == 0,
        );
        let bad_overrides: i64 = sqlx::query_scalar(&format!(
            "select count(*) from {table} b left join staff s on s.id = b.override_by_staff_id
             where b.capacity_override
               and (b.override_reason is null or s.id is null or not coalesce(s.can_override, s.role = 'manager'))"
        ))
        .fetch_one(admin)
        .await?;
        c.check(
            format!("{table}: every capacity override has a reason and a manager ({bad_overrides} without)"),
            bad_overrides == 0,
        );

        // Every booking the desks were told about is there, as the desk left it.
        let mine: Vec<&Tracked> = tracked.iter().filter(|t| t.kind == kind).collect();
        let ids: Vec<Uuid> = mine.iter().map(|t| t.id).collect();
        let rows: Vec<(Uuid, Option<Uuid>, Uuid, Uuid, String)> = sqlx::query_as(&format!(
            "select id, idempotency_key, member_id, {col}, status from {table} where id = any($1)"
        ))
        .bind(&ids)
        .fetch_all(admin)
        .await?;
        let found: HashMap<Uuid, (Option<Uuid>, Uuid, Uuid, String)> = rows
            .into_iter()
            .map(|(id, key, member, target, status)| (id, (key, member, target, status)))
            .collect();
        let (mut missing, mut differ, mut status_off) = (0, 0, 0);
        for t in &mine {
            match found.get(&t.id) {
                None => missing += 1,
                Some((key, member, target, status)) => {
                    if *key != Some(t.key) || *member != t.member || *target != t.target {
                        differ += 1;
                    }
                    let ok = match t.status {
                        Expect::Booked => status == "booked",
                        Expect::Waitlisted => status == "waitlisted" || status == "booked",
                        Expect::Attended => status == "attended",
                        Expect::Cancelled => status == "cancelled",
                    };
                    if !ok {
                        status_off += 1;
                    }
                }
            }
        }
        c.check(
            format!(
                "{table}: all {} bookings confirmed to desks are in the database with their key, member and {col} ({missing} missing, {differ} differ), in the state the desk left them ({status_off} not)",
                mine.len()
            ),
            missing == 0 && differ == 0 && status_off == 0,
        );
        let made: i64 = sqlx::query_scalar(&format!(
            "select count(*) from {table} where created_at >= $1"
        ))
        .bind(run_start)
        .fetch_one(admin)
        .await?;
        c.check(
            format!("{table}: no booking the desks were not told about ({made} made during the run, {} confirmed)", mine.len()),
            made == mine.len() as i64,
        );
    }
    Ok(c)
}

// ---------------------------------------------------------------------------------------------
// The run.

struct Report {
    title: String,
    setup: String,
    rows: Vec<(String, ActionStats)>,
    wall: f64,
    opened: usize,
    desks: usize,
    peaks: Peaks,
    max_connections: String,
    bouncer: Option<(BouncerStats, BouncerStats)>,
    sessions: i64,
    checks: Checks,
    pooled: bool,
}

async fn run(o: &Opts) -> R<bool> {
    let url = std::env::var("DATABASE_URL")
        .map_err(|_| "DATABASE_URL is not set (an administrator's direct connection)")?;
    let server_opts = PgConnectOptions::from_str(&url)?.disable_statement_logging();
    let started = Instant::now();
    let mode = if o.direct { "direct" } else { "pooled" };
    let desks_total = o.branches * o.desks;
    println!(
        "Branch Desk load ({mode}): {} branches x {} desks = {desks_total} desks for {} s, think {:.1} s",
        o.branches, o.desks, o.seconds, o.think
    );
    {
        let mut server = PgConnection::connect_with(&server_opts).await?;
        sqlx::query(&format!("drop database if exists {} with (force)", o.db))
            .execute(&mut server)
            .await?;
        sqlx::query(&format!("create database {}", o.db))
            .execute(&mut server)
            .await?;
        server.close().await?;
    }
    // Held from the start: with --direct the desks may take every ordinary connection.
    let admin = PgPoolOptions::new()
        .max_connections(4)
        .min_connections(3)
        .connect_with(server_opts.clone().database(&o.db))
        .await?;
    migrate(&admin).await?;
    if !o.direct {
        ensure_pooler_lookup(&admin).await?;
    }
    let max_connections: String = sqlx::query_scalar("select current_setting('max_connections')")
        .fetch_one(&admin)
        .await?;
    let password = format!("load-{}", Uuid::new_v4().simple());
    let world = setup(&admin, o, &password).await?;
    let setup_s = started.elapsed().as_secs_f64();
    println!(
        "set-up {setup_s:.1} s: {} members, {} classes, {} slots, {} bookings; PostgreSQL max_connections {max_connections}",
        world.members, world.classes, world.slots, world.bookings
    );

    let host = server_opts.get_host().to_owned();
    let port = if o.direct {
        server_opts.get_port()
    } else {
        o.pooler_port.expect("checked")
    };
    let conn = ClubConnection {
        host: host.clone(),
        port,
        database: o.db.clone(),
        desk_role: String::new(),
        tls: TlsMode::Disable,
        ca_file: None,
        branch_id: None,
        max_connections: None,
        idle_release_seconds: None,
    };
    let mut bouncer = match (&o.stats_url, o.direct) {
        (Some(u), false) => {
            let opts = PgConnectOptions::from_str(u)?.disable_statement_logging();
            match PgConnection::connect_with(&opts).await {
                Ok(c) => Some(c),
                Err(e) => {
                    println!("  note: PgBouncer's console ({u}) cannot be reached: {e}; no pooler figures");
                    None
                }
            }
        }
        _ => None,
    };
    let stats_before = match bouncer.as_mut() {
        Some(c) => Some(bouncer_stats(c, &o.db).await?),
        None => None,
    };
    let sessions_before = server_sessions(&admin, &o.db).await?;
    let run_start: DateTime<Utc> = sqlx::query_scalar("select now()").fetch_one(&admin).await?;

    // Desks open in turn over a ramp (as a morning's desks do): PIN checks are argon2, which is
    // CPU the bench shares with PostgreSQL. At least 2 s, at most a quarter of the run.
    let ramp = (desks_total as f64 / 40.0)
        .max(2.0)
        .min(o.seconds as f64 * 0.25);
    let t0 = Instant::now();
    let ctx = Arc::new(RunCtx {
        conn,
        password,
        t0,
        deadline: t0 + Duration::from_secs(o.seconds),
        think: o.think,
        rush_every: o.rush_every,
        desks: o.desks,
        live: Live::default(),
    });
    println!(
        "running: desks {} to {}:{port}, opening over {ramp:.0} s, a rush round every {} s per branch",
        if o.direct { "straight" } else { "through PgBouncer" },
        host,
        o.rush_every
    );
    let stop = Arc::new(AtomicBool::new(false));
    let sampling = tokio::spawn(sampler(
        admin.clone(),
        bouncer.take(),
        o.db.clone(),
        ctx.clone(),
        desks_total,
        stop.clone(),
    ));
    let mut handles = Vec::with_capacity(desks_total);
    for b in &world.branches {
        for d in 0..o.desks {
            let n = b.index * o.desks + d;
            let start = t0 + Duration::from_secs_f64(ramp * n as f64 / desks_total as f64);
            handles.push(tokio::spawn(desk_main(ctx.clone(), b.clone(), d, start)));
        }
    }
    let mut stats: BTreeMap<&'static str, ActionStats> = BTreeMap::new();
    let mut tracked = Vec::new();
    for h in handles {
        let out = h.await?;
        for (k, v) in out.stats {
            stats.entry(k).or_default().merge(v);
        }
        tracked.extend(out.tracked);
    }
    let wall = t0.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    let (peaks, mut bouncer) = sampling.await?;
    let stats_after = match bouncer.as_mut() {
        Some(c) => Some(bouncer_stats(c, &o.db).await?),
        None => None,
    };
    // pg_stat_database is updated as sessions end and every second or so: let it catch up.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let sessions = server_sessions(&admin, &o.db).await? - sessions_before;

    println!("\nchecking the invariants");
    let checks = invariants(&admin, &tracked, run_start).await?;
    let opened = ctx.live.opened.load(Ordering::Relaxed);
    let order = [
        "open_desk",
        "sign_in",
        "search",
        "member_panel",
        "schedule_this_week",
        "schedule_next_week",
        "class_list",
        "book_recovery",
        "book_class",
        "book_retry",
        "rush_book",
        "override_book",
        "waitlist_join",
        "check_in",
        "cancel",
        "bookings_page",
        "bookings_next_page",
        "bookings_count",
    ];
    let mut rows: Vec<(String, ActionStats)> = Vec::new();
    for name in order {
        if let Some(s) = stats.remove(name) {
            rows.push((name.to_owned(), s));
        }
    }
    rows.extend(stats.into_iter().map(|(k, v)| (k.to_owned(), v)));
    let report = Report {
        title: format!(
            "Branch Desk load, {}: {} branches x {} desks = {desks_total} desks, {} s",
            if o.direct {
                format!("desks straight to PostgreSQL on {host}:{port}")
            } else {
                format!("through PgBouncer (transaction mode) on {host}:{port}")
            },
            o.branches,
            o.desks,
            o.seconds
        ),
        setup: format!(
            "run {} on {}; think {:.1} s (x0.5 to x1.5) between tasks, desks opened over {ramp:.0} s, a rush round every {} s per branch; data: {} members, {} classes, {} slots, {} bookings before the run; set-up {setup_s:.0} s",
            Utc::now().format("%Y-%m-%d %H:%M UTC"),
            crate::machine(),
            o.think,
            o.rush_every,
            world.members,
            world.classes,
            world.slots,
            world.bookings
        ),
        rows,
        wall,
        opened,
        desks: desks_total,
        peaks,
        max_connections,
        bouncer: stats_before.zip(stats_after),
        sessions,
        checks,
        pooled: !o.direct,
    };
    let text = report.text();
    println!("\n{text}");
    let errors: u64 = report.rows.iter().map(|(_, s)| s.errors()).sum();
    let invariants_ok = report.checks.0.iter().all(|(_, ok)| *ok);
    if let Some(dir) = &o.out {
        std::fs::create_dir_all(dir)?;
        let stem = format!("load-{mode}-{}x{}", o.branches, o.desks);
        std::fs::write(dir.join(format!("{stem}.md")), report.markdown())?;
        std::fs::write(dir.join(format!("{stem}.json")), report.json())?;
        println!("wrote {}/{stem}.md and {stem}.json", dir.display());
    }
    admin.close().await;
    if let (Some(c), false) = (bouncer.as_mut(), o.keep_db) {
        // Let PgBouncer close its server connections to the database before it is dropped
        // (otherwise it logs them as crashed); RESUME lets new clients in again.
        let _ = show(c, &format!("kill {}", o.db)).await;
        let _ = show(c, &format!("resume {}", o.db)).await;
    }
    if !o.keep_db {
        let mut server = PgConnection::connect_with(&server_opts).await?;
        sqlx::query(&format!("drop database if exists {} with (force)", o.db))
            .execute(&mut server)
            .await?;
        server.close().await?;
    }
    let ok = invariants_ok && (o.direct || errors == 0);
    if !invariants_ok {
        eprintln!("\nFAILED: an invariant is broken (see above)");
    } else if !ok {
        eprintln!("\nFAILED: {errors} errors through PgBouncer (see above)");
    }
    println!("total {:.0} s", started.elapsed().as_secs_f64());
    Ok(ok)
}

// ---------------------------------------------------------------------------------------------
// The report: terminal, Markdown, JSON.

use crate::report::ms as f;

impl Report {
    fn all(&self) -> ActionStats {
        let mut all = ActionStats::default();
        for (_, s) in &self.rows {
            all.merge(s.clone());
        }
        all
    }

    fn table(&self) -> Vec<[String; 10]> {
        let header = [
            "action", "n", "ok", "answers", "errors", "p50 ms", "p95 ms", "p99 ms", "max ms",
            "per s",
        ]
        .map(String::from);
        let mut out = vec![header];
        let all = self.all();
        for (name, s) in self
            .rows
            .iter()
            .chain(std::iter::once(&("all".to_owned(), all)))
        {
            let max = s.samples.iter().cloned().fold(f64::NAN, f64::max);
            out.push([
                name.clone(),
                s.samples.len().to_string(),
                s.ok.to_string(),
                s.answers().to_string(),
                s.errors().to_string(),
                f(percentile(&s.samples, 50.0)),
                f(percentile(&s.samples, 95.0)),
                f(percentile(&s.samples, 99.0)),
                f(max),
                f(s.samples.len() as f64 / self.wall),
            ]);
        }
        out
    }

    fn kinds(&self) -> (BTreeMap<String, u64>, BTreeMap<String, u64>, u64) {
        let (mut answers, mut errors, mut conn) = (BTreeMap::new(), BTreeMap::new(), 0);
        for (name, s) in &self.rows {
            for (k, v) in &s.answers {
                *answers.entry(format!("{name}: {k}")).or_default() += v;
            }
            for (k, v) in &s.errors {
                *errors.entry(format!("{name}: {k}")).or_default() += v;
            }
            conn += s.connection_errors;
        }
        (answers, errors, conn)
    }

    fn lines(&self) -> Vec<String> {
        let p = &self.peaks;
        let (answers, errors, conn) = self.kinds();
        let mut l = Vec::new();
        l.push(format!(
            "desks opened: {} of {}; {:.0} s of load",
            self.opened, self.desks, self.wall
        ));
        l.push(format!(
            "answers (not errors): {}",
            if answers.is_empty() {
                "none".into()
            } else {
                answers
                    .iter()
                    .map(|(k, v)| format!("{k} {v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        ));
        let total: u64 = errors.values().sum();
        l.push(format!(
            "errors: {total}{}",
            if total > 0 {
                format!(" ({conn} of them connection errors: the database unreachable or out of connections)")
            } else {
                String::new()
            }
        ));
        for (k, v) in &errors {
            l.push(format!("  {v} x {k}"));
        }
        l.push(format!(
            "PostgreSQL (max_connections {}): peak client backends {} (desks' {}, running a query at once {}), sampled every 200 ms ({} samples, the administrator's own included); {} server sessions started during the run ({:.1}/s)",
            self.max_connections,
            p.client_backends,
            p.desk_backends,
            p.active_backends,
            p.samples,
            self.sessions,
            self.sessions as f64 / self.wall
        ));
        if self.pooled {
            match &self.bouncer {
                Some((a, b)) => {
                    let xacts = b.xacts - a.xacts;
                    let wait = (b.wait_us - a.wait_us) as f64 / 1e6;
                    l.push(format!(
                        "PgBouncer: peak cl_waiting {} (clients waiting for a server connection), peak maxwait {:.3} s, peak cl_active {}, peak server connections {}; SHOW STATS over the run: {xacts} transactions, {} queries, total_wait_time {:.2} s ({:.2} ms per transaction), total_xact_time {:.1} s{}",
                        p.cl_waiting,
                        p.maxwait_s,
                        p.cl_active,
                        p.server_conns,
                        b.queries - a.queries,
                        wait,
                        if xacts > 0 { wait * 1000.0 / xacts as f64 } else { 0.0 },
                        (b.xact_us - a.xact_us) as f64 / 1e6,
                        if p.pooler_errors > 0 {
                            format!(
                                "; {} console samples failed ({})",
                                p.pooler_errors,
                                p.last_pooler_error.as_deref().unwrap_or("")
                            )
                        } else {
                            String::new()
                        }
                    ));
                }
                None => l.push("PgBouncer: no figures (no --stats-url)".into()),
            }
            if let Some((a, b)) = &self.bouncer {
                let calls = self.all().samples.len() as f64;
                l.push(format!(
                    "PgBouncer server assignments per desk command: {:.2} (its transactions / the desks' calls; sqlx pings with a bare Sync when a connection is taken from the desk's pool and when it is given back, and in transaction mode each ping takes a server connection, followed by server_reset_query)",
                    (b.xacts - a.xacts) as f64 / calls.max(1.0)
                ));
            }
        }
        l
    }

    fn text(&self) -> String {
        let mut s = format!("{}\n{}\n\n", self.title, self.setup);
        s.push_str(&crate::report::aligned(&self.table(), |i| i > 0));
        s.push('\n');
        for l in self.lines() {
            let _ = writeln!(s, "{l}");
        }
        s.push_str("\ninvariants:\n");
        for (what, ok) in &self.checks.0 {
            let _ = writeln!(s, "  {}  {what}", if *ok { "OK    " } else { "BROKEN" });
        }
        s
    }

    fn markdown(&self) -> String {
        let rows = self.table();
        let mut s = format!("# {}\n\n{}\n\n", self.title, self.setup);
        for (n, r) in rows.iter().enumerate() {
            let _ = writeln!(s, "| {} |", r.join(" | "));
            if n == 0 {
                let _ = writeln!(s, "|---|{}", "---:|".repeat(9));
            }
        }
        s.push('\n');
        for l in self.lines() {
            if let Some(rest) = l.strip_prefix("  ") {
                let _ = writeln!(s, "  - {}", rest.replace('|', "\\|"));
            } else {
                let _ = writeln!(s, "- {}", l.replace('|', "\\|"));
            }
        }
        s.push_str("\nInvariants:\n\n");
        for (what, ok) in &self.checks.0 {
            let _ = writeln!(s, "- {}: {what}", if *ok { "OK" } else { "BROKEN" });
        }
        s
    }

    fn json(&self) -> String {
        use serde_json::json;
        // NaN (no samples) has no JSON number: null.
        let num = |v: f64| if v.is_finite() { json!(v) } else { json!(null) };
        let (answers, errors, conn) = self.kinds();
        let p = &self.peaks;
        let actions: Vec<serde_json::Value> = self
            .rows
            .iter()
            .map(|(name, s)| {
                json!({
                    "action": name,
                    "n": s.samples.len(),
                    "ok": s.ok,
                    "answers": s.answers,
                    "errors": s.errors,
                    "p50_ms": num(percentile(&s.samples, 50.0)),
                    "p95_ms": num(percentile(&s.samples, 95.0)),
                    "p99_ms": num(percentile(&s.samples, 99.0)),
                    "per_s": num(s.samples.len() as f64 / self.wall),
                })
            })
            .collect();
        let all = self.all();
        let bouncer = self.bouncer.as_ref().map(|(a, b)| {
            json!({
                "peak_cl_waiting": p.cl_waiting,
                "peak_maxwait_s": num(p.maxwait_s),
                "peak_cl_active": p.cl_active,
                "peak_server_connections": p.server_conns,
                "transactions": b.xacts - a.xacts,
                "queries": b.queries - a.queries,
                "total_wait_time_s": num((b.wait_us - a.wait_us) as f64 / 1e6),
                "total_xact_time_s": num((b.xact_us - a.xact_us) as f64 / 1e6),
                "server_assignments_per_call":
                    num((b.xacts - a.xacts) as f64 / (all.samples.len() as f64).max(1.0)),
            })
        });
        let checks: Vec<serde_json::Value> = self
            .checks
            .0
            .iter()
            .map(|(what, ok)| json!({ "check": what, "ok": ok }))
            .collect();
        let report = json!({
            "title": self.title,
            "setup": self.setup,
            "pooled": self.pooled,
            "seconds": num(self.wall),
            "desks": self.desks,
            "desks_opened": self.opened,
            "calls": all.samples.len(),
            "calls_per_s": num(all.samples.len() as f64 / self.wall),
            "p50_ms": num(percentile(&all.samples, 50.0)),
            "p95_ms": num(percentile(&all.samples, 95.0)),
            "p99_ms": num(percentile(&all.samples, 99.0)),
            "answers": answers,
            "errors": errors,
            "connection_errors": conn,
            "postgres": {
                "max_connections": self.max_connections,
                "peak_client_backends": p.client_backends,
                "peak_desk_backends": p.desk_backends,
                "peak_active_backends": p.active_backends,
                "sessions_started": self.sessions,
            },
            "pgbouncer": bouncer,
            "actions": actions,
            "invariants": checks,
        });
        serde_json::to_string_pretty(&report).expect("a report of plain values") + "\n"
    }
}
