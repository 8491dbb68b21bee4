//! Desks through a real PgBouncer (Debian 12's 1.18, `deploy/pgbouncer/pgbouncer.ini` with its
//! auth_query lookup) in transaction mode: the desk's commands work, its settings hold per
//! transaction, two desk roles sharing one server slot never see each other's branch or session
//! state, migrations are refused in words, a desk keeps to its connection budget, and the faults
//! a pooler brings (restarted, exhausted, a server connection killed mid-transaction) lose or
//! double no booking.
//!
//! Each test starts its own PgBouncer (a child process; as root it runs as `postgres`, which
//! PgBouncer insists on) in front of the test cluster, with the settings the test needs.

mod common;

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use branch_desk_core::bookings::{book, list_bookings, BookingFilter, BookingKind, PageRequest};
use branch_desk_core::db::{
    connect, create_desk_role, refuse_transaction_pooler, ConnectionBudget, DeskKey,
    THROUGH_A_TRANSACTION_POOLER,
};
use branch_desk_core::desk::{open_desk, Desk};
use branch_desk_core::Error;
use common::{club, desk_request, Club};
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection, PgPool};
use uuid::Uuid;

const PASSWORD: &str = "pooler-test-desk-pw";
const POOLER_PASSWORD: &str = "pooler-test-password";
const SERVER_PASSWORD: &str = "server-test-password";

/// A PgBouncer of this test's own, from the deployed configuration with `overrides`.
struct Bouncer {
    dir: tempfile::TempDir,
    port: u16,
    child: Option<Child>,
}

impl Bouncer {
    async fn start(admin: &PgPool, overrides: &[(&str, &str)]) -> Bouncer {
        // The lookup PgBouncer's auth_query calls, in this test's database, as deployed, and
        // the passwords of its roles, which belong to the cluster that tests share.
        common::cluster_wide("deploy/pgbouncer/auth.sql applies", || {
            sqlx::raw_sql(include_str!("../../deploy/pgbouncer/auth.sql")).execute(admin)
        })
        .await;
        for (role, password) in [
            ("branch_desk_pooler", POOLER_PASSWORD),
            ("branch_desk_server", SERVER_PASSWORD),
        ] {
            let sql = format!("alter role {role} password '{password}'");
            common::cluster_wide(&sql, || sqlx::query(&sql).execute(admin)).await;
        }
        let dir = tempfile::tempdir().unwrap();
        let o = admin.connect_options();
        let port = free_port();
        let mut settings: Vec<(String, String)> = vec![
            ("listen_port".into(), port.to_string()),
            ("logfile".into(), path(&dir, "pgbouncer.log")),
            ("pidfile".into(), path(&dir, "pgbouncer.pid")),
            ("auth_file".into(), path(&dir, "userlist.txt")),
        ];
        settings.extend(
            overrides
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string())),
        );
        let mut ini = include_str!("../../deploy/pgbouncer/pgbouncer.ini").replace(
            "* = host=127.0.0.1 port=5432 ",
            &format!("* = host={} port={} ", o.get_host(), o.get_port()),
        );
        for (key, value) in &settings {
            let prefix = format!("{key} = ");
            let line = ini
                .lines()
                .find(|l| l.starts_with(&prefix))
                .unwrap_or_else(|| panic!("no setting {key} in pgbouncer.ini"))
                .to_owned();
            ini = ini.replace(&line, &format!("{key} = {value}"));
        }
        std::fs::write(dir.path().join("pgbouncer.ini"), ini).unwrap();
        std::fs::write(
            dir.path().join("userlist.txt"),
            format!(
                "\"branch_desk_pooler\" \"{POOLER_PASSWORD}\"\n\"branch_desk_server\" \"{SERVER_PASSWORD}\"\n"
            ),
        )
        .unwrap();
        if is_root() {
            let status = Command::new("chown")
                .args(["-R", "postgres:", dir.path().to_str().unwrap()])
                .status()
                .unwrap();
            assert!(status.success());
        }
        let mut b = Bouncer {
            dir,
            port,
            child: None,
        };
        b.spawn().await;
        b
    }

    async fn spawn(&mut self) {
        let ini = path(&self.dir, "pgbouncer.ini");
        let mut cmd = if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--", "pgbouncer", "-q", &ini]);
            c
        } else {
            let mut c = Command::new("pgbouncer");
            c.args(["-q", &ini]);
            c
        };
        let child = cmd
            .spawn()
            .expect("pgbouncer runs (scripts/setup-system.sh installs it)");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while tokio::net::TcpStream::connect(("127.0.0.1", self.port))
            .await
            .is_err()
        {
            assert!(
                Instant::now() < deadline,
                "pgbouncer did not start: {}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Stops PgBouncer at once (SIGINT to the process group it runs in is not needed: it is
    /// the child itself, or runuser's).
    async fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // runuser passes signals on to PgBouncer.
            unsafe_kill(child.id());
            let _ = child.wait();
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while tokio::net::TcpStream::connect(("127.0.0.1", self.port))
            .await
            .is_ok()
        {
            assert!(Instant::now() < deadline, "pgbouncer did not stop");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("pgbouncer.log")).unwrap_or_default()
    }

    fn options(&self, admin: &PgPool, role: &str) -> PgConnectOptions {
        PgConnectOptions::new()
            .host("127.0.0.1")
            .port(self.port)
            .database(admin.connect_options().get_database().unwrap())
            .username(role)
            .password(PASSWORD)
    }

    /// A desk through this PgBouncer, opened as the app opens one.
    async fn desk(&self, admin: &PgPool, role: &str, budget: ConnectionBudget) -> Desk {
        let pool = connect(self.options(admin, role), budget)
            .await
            .unwrap_or_else(|e| panic!("{role} connects through PgBouncer: {e:?}\n{}", self.log()));
        open_desk(pool, Some(DeskKey::new(role, PASSWORD)), None)
            .await
            .unwrap()
    }
}

impl Drop for Bouncer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            unsafe_kill(child.id());
            let _ = child.wait();
        }
    }
}

/// SIGTERM (PgBouncer's immediate shutdown) without a libc dependency.
fn unsafe_kill(pid: u32) {
    let _ = Command::new("kill").arg(pid.to_string()).status();
    // runuser forwards the signal; make sure PgBouncer itself went too.
    let _ = Command::new("pkill")
        .args(["-TERM", "-P", &pid.to_string()])
        .status();
}

fn is_root() -> bool {
    std::env::var("USER").map(|u| u == "root").unwrap_or(false)
        || std::fs::metadata("/proc/self")
            .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
            .unwrap_or(false)
}

fn path(dir: &tempfile::TempDir, name: &str) -> String {
    let p: PathBuf = dir.path().join(name);
    p.to_string_lossy().into_owned()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A London and a New York desk role of this test's own (roles are cluster-wide, and tests
/// running at once must not alter each other's), logging in with [`PASSWORD`].
async fn pooler_desks(c: &Club, test: &str) -> (String, String) {
    let (ldn, nyc) = (
        format!("test_pooler_{test}_ldn"),
        format!("test_pooler_{test}_nyc"),
    );
    create_desk_role(&c.admin, &ldn, Some(PASSWORD), Some(c.branch_a()))
        .await
        .unwrap();
    create_desk_role(&c.admin, &nyc, Some(PASSWORD), Some(c.branch_b()))
        .await
        .unwrap();
    // Slots at both branches, for each desk to see its own of.
    c.future_slot("LDN", 4).await;
    c.future_slot("NYC", 4).await;
    (ldn, nyc)
}

fn budget(max: u32, idle: Duration) -> ConnectionBudget {
    ConnectionBudget {
        max_connections: max,
        idle_release: idle,
    }
}

/// The branches a desk acts for, as the database sees the session: whom `desk_branch_ids()`
/// names, and the branches of every recovery slot, staff member and All Bookings row it can
/// read (row-level security by branch). One transaction, as a command.
async fn seen_branches(desk: &Desk) -> Vec<Uuid> {
    let mut tx = desk.begin().await.unwrap();
    let mut seen: Vec<Uuid> = sqlx::query_scalar("select distinct branch_id from benefit_slots")
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    assert!(!seen.is_empty(), "the desk sees its branch's slots");
    seen.extend(
        sqlx::query_scalar::<_, Uuid>(
            "select unnest(public.desk_branch_ids())
             union select distinct branch_id from staff where branch_id is not null",
        )
        .fetch_all(&mut *tx)
        .await
        .unwrap(),
    );
    let page = list_bookings(
        &mut tx,
        &BookingFilter::default(),
        &PageRequest {
            after: None,
            limit: 50,
            sort: branch_desk_core::bookings::Sort::StartsAsc,
        },
    )
    .await
    .unwrap();
    seen.extend(page.rows.iter().map(|r| r.branch_id));
    tx.commit().await.unwrap();
    seen.sort();
    seen.dedup();
    seen
}

/// As deployed: PgBouncer logs every desk in as the shared `branch_desk_server`, and each
/// transaction names its desk by key.
#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn two_desks_on_one_shared_server_connection_never_see_each_other(admin: PgPool) {
    one_server_slot_for_two_desks(admin, "shared", true).await;
}

/// Without `user=`: a pool per desk role, each told apart by its login.
#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn two_desk_roles_taking_turns_on_one_server_slot_never_see_each_other(admin: PgPool) {
    one_server_slot_for_two_desks(admin, "share", false).await;
}

async fn one_server_slot_for_two_desks(admin: PgPool, test: &str, shared: bool) {
    let c = club(admin).await;
    let (ldn_role, nyc_role) = pooler_desks(&c, test).await;
    // One server connection for the whole database: the two desks take turns on it (shared:
    // the same connection; per role: PgBouncer closing one's to open the other's).
    let o = c.admin.connect_options();
    let per_role_line = format!(
        "host={} port={} auth_user=branch_desk_pooler",
        o.get_host(),
        o.get_port()
    );
    let mut overrides = vec![("default_pool_size", "1"), ("max_db_connections", "1")];
    if !shared {
        overrides.push(("*", &per_role_line));
    }
    let b = Bouncer::start(&c.admin, &overrides).await;
    let ldn = b
        .desk(&c.admin, &ldn_role, budget(2, Duration::from_secs(60)))
        .await;
    let nyc = b
        .desk(&c.admin, &nyc_role, budget(2, Duration::from_secs(60)))
        .await;
    assert_eq!(ldn.branch.id, c.branch_a());
    assert_eq!(nyc.branch.id, c.branch_b());

    // Every interleaving of a few rounds, concurrent: each desk sees its own branch only.
    for round in 0..12 {
        let (a, b2) = tokio::join!(seen_branches(&ldn), seen_branches(&nyc));
        assert_eq!(
            a,
            vec![c.branch_a()],
            "round {round}: London sees London only"
        );
        assert_eq!(
            b2,
            vec![c.branch_b()],
            "round {round}: New York sees New York only"
        );
    }

    // Held open: London's transaction keeps the only server slot; New York's command waits for
    // it, then runs as New York.
    let mut held = ldn.begin().await.unwrap();
    let (login, who): (String, String) =
        sqlx::query_as("select session_user::text, public.desk_role_name()")
            .fetch_one(&mut *held)
            .await
            .unwrap();
    assert_eq!(who, ldn_role);
    assert_eq!(
        login,
        if shared {
            "branch_desk_server"
        } else {
            ldn_role.as_str()
        },
        "PgBouncer logs in as the shared role only with user="
    );
    assert_eq!(ldn.identity.shared_login, shared);
    let waiting = tokio::spawn({
        let nyc = nyc.clone();
        async move { seen_branches(&nyc).await }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !waiting.is_finished(),
        "New York waits while London holds the slot"
    );
    held.commit().await.unwrap();
    assert_eq!(waiting.await.unwrap(), vec![c.branch_b()]);

    // A hostile London session leaves session state on its server connection: a temporary
    // table shadowing `members`, a search_path, a work_mem, a SET ROLE, a prepared statement, a
    // LISTEN and an advisory lock. A second London desk (another PC with the same role) that gets
    // that server connection next (the only one) sees none of it: PgBouncer resets the
    // connection (server_reset_query) when it changes hands.
    // Both connected first: a login runs PgBouncer's auth_query, whose own pool would take
    // the one server slot and so close the connection under test.
    let second = b
        .desk(&c.admin, &ldn_role, budget(2, Duration::from_secs(60)))
        .await;
    let mut hostile = PgConnection::connect_with(&b.options(&c.admin, &ldn_role))
        .await
        .unwrap();
    sqlx::raw_sql(
        "create temporary table members (id uuid, first_name text);
         set search_path = pg_temp, public; set work_mem = '64kB'; set enable_memoize = on;
         set role branch_desk; prepare hostile as select 1; listen hostile;
         select pg_advisory_lock(4242)",
    )
    .execute(&mut hostile)
    .await
    .unwrap();
    let mut tx = second.begin().await.unwrap();
    let (temp, path, work_mem, memoize): (bool, String, String, String) = sqlx::query_as(
        "select exists (select 1 from pg_catalog.pg_class where relpersistence = 't'),
                current_setting('search_path'), current_setting('work_mem'),
                current_setting('enable_memoize')",
    )
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    let (role, prepared, listening, locks): (String, i64, i64, i64) = sqlx::query_as(
        "select current_setting('role'),
                (select count(*) from pg_catalog.pg_prepared_statements where name = 'hostile'),
                (select count(*) from pg_catalog.pg_listening_channels()),
                (select count(*) from pg_catalog.pg_locks
                 where locktype = 'advisory' and pid = pg_catalog.pg_backend_pid())",
    )
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        (role.as_str(), prepared, listening, locks),
        ("none", 0, 0, 0),
        "no role, prepared statement, LISTEN or advisory lock of another client's"
    );
    assert!(!temp, "no temporary table of another client's");
    assert_eq!(path, "\"$user\", public");
    assert_eq!(work_mem, "4MB");
    assert_eq!(
        memoize, "off",
        "the desk's own SET LOCAL, in its transaction"
    );
    assert_eq!(seen_branches(&second).await, vec![c.branch_a()]);

    // The hostile London client names London at session level (not local), on the one server
    // connection New York's commands use next: New York's own key names New York, and a client
    // that sends no key (New York's role, raw) gets nobody, since PgBouncer reset the setting.
    sqlx::raw_sql(&format!(
        "select set_config('branch_desk.desk', '{ldn_role}', false), \
                set_config('branch_desk.desk_key', '{PASSWORD}', false)"
    ))
    .execute(&mut hostile)
    .await
    .unwrap();
    assert_eq!(seen_branches(&nyc).await, vec![c.branch_b()]);
    let mut raw = PgConnection::connect_with(&b.options(&c.admin, &nyc_role))
        .await
        .unwrap();
    // In a transaction, so PgBouncer keeps one server connection for the statement's steps.
    let mut tx = raw.begin().await.unwrap();
    let (named, slots): (Option<String>, i64) =
        sqlx::query_as("select public.desk_role_name(), (select count(*) from benefit_slots)")
            .persistent(false)
            .fetch_one(&mut *tx)
            .await
            .unwrap();
    tx.commit().await.unwrap();
    if shared {
        assert_eq!(named, None, "no key sent: no desk");
        assert_eq!(slots, 0, "and no rows");
    } else {
        assert_eq!(named.as_deref(), Some(nyc_role.as_str()));
    }
    raw.close().await.unwrap();
    hostile.close().await.unwrap();
}

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn migrations_are_refused_through_a_transaction_pooler(admin: PgPool) {
    let c = club(admin).await;
    let (ldn_role, _) = pooler_desks(&c, "migrate").await;
    let b = Bouncer::start(&c.admin, &[]).await;
    let through = connect(
        b.options(&c.admin, &ldn_role),
        budget(2, Duration::from_secs(60)),
    )
    .await
    .unwrap();
    match branch_desk_core::db::migrate(&through).await {
        Err(Error::Invalid { reason, .. }) => assert_eq!(reason, THROUGH_A_TRANSACTION_POOLER),
        other => panic!("a migration through a transaction pooler is refused in words: {other:?}"),
    }
    // A direct connection and a session-mode pooler pass the check.
    refuse_transaction_pooler(&c.admin).await.unwrap();
    let session = Bouncer::start(&c.admin, &[("pool_mode", "session")]).await;
    let pool = connect(
        session.options(&c.admin, &ldn_role),
        budget(2, Duration::from_secs(60)),
    )
    .await
    .unwrap();
    refuse_transaction_pooler(&pool).await.unwrap();
    // ... and a desk works through session mode as well.
    let desk = open_desk(pool, Some(DeskKey::new(&ldn_role, PASSWORD)), None)
        .await
        .unwrap();
    assert_eq!(seen_branches(&desk).await, vec![c.branch_a()]);
}

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn a_desk_keeps_to_its_budget_and_gives_connections_back(admin: PgPool) {
    let c = club(admin).await;
    let (ldn_role, _) = pooler_desks(&c, "budget").await;
    let b = Bouncer::start(&c.admin, &[]).await;
    let desk = b
        .desk(&c.admin, &ldn_role, budget(2, Duration::from_secs(1)))
        .await;
    let peak = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let mut tasks = Vec::new();
    for _ in 0..12 {
        let (desk, peak) = (desk.clone(), peak.clone());
        tasks.push(tokio::spawn(async move {
            let seen = seen_branches(&desk).await;
            peak.fetch_max(desk.pool.size(), std::sync::atomic::Ordering::SeqCst);
            seen
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), vec![c.branch_a()]);
    }
    let peak = peak.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        (1..=2).contains(&peak),
        "twelve commands at once hold at most 2 connections, held {peak}"
    );
    // Idle: sqlx's reaper closes connections past idle_release.
    let deadline = Instant::now() + Duration::from_secs(15);
    while desk.pool.size() > 0 {
        assert!(
            Instant::now() < deadline,
            "an idle desk gives its connections back"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // ... and reconnects for the next command, unnoticed.
    assert_eq!(seen_branches(&desk).await, vec![c.branch_a()]);
}

/// The bookings the admin sees made with this idempotency key.
async fn booked(c: &Club, key: Uuid) -> Vec<Uuid> {
    sqlx::query_scalar("select id from benefit_bookings where idempotency_key = $1")
        .bind(key)
        .fetch_all(&c.admin)
        .await
        .unwrap()
}

async fn book_at(
    desk: &Desk,
    req: &branch_desk_core::bookings::BookingRequest,
) -> Result<Uuid, Error> {
    let mut tx = desk.begin().await?;
    let b = book(&mut *tx, req).await?;
    tx.commit().await?;
    Ok(b.id)
}

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn faults_lose_or_double_no_booking(admin: PgPool) {
    let c = club(admin).await;
    let (ldn_role, _) = pooler_desks(&c, "faults").await;
    let mut b = Bouncer::start(
        &c.admin,
        &[("default_pool_size", "1"), ("query_wait_timeout", "2")],
    )
    .await;
    let desk = b
        .desk(&c.admin, &ldn_role, budget(2, Duration::from_secs(60)))
        .await;
    let slot = c.future_slot("LDN", 4).await;
    let members = c.members_on_plan(3, "PREMIUM").await;
    let staff = c.staff("frank.desk.ldn");

    // 1. PgBouncer restarted mid-session: the command in between fails as unreachable, and
    // nothing was written; after the restart the same confirm books once.
    let req = desk_request(BookingKind::Recovery, slot, members[0], staff);
    book_at(
        &desk,
        &desk_request(BookingKind::Recovery, slot, members[1], staff),
    )
    .await
    .unwrap();
    b.stop().await;
    let e = book_at(&desk, &req).await.unwrap_err();
    assert_eq!(e.code(), "unavailable", "{e:?}");
    assert!(booked(&c, req.idempotency_key).await.is_empty());
    b.spawn().await;
    let first = book_at(&desk, &req)
        .await
        .expect("reconnects after the restart");
    let again = book_at(&desk, &req).await.unwrap();
    assert_eq!(first, again, "the same confirm again is the same booking");
    assert_eq!(booked(&c, req.idempotency_key).await, vec![first]);

    // 2. The pool exhausted: another London desk holds the role's only server connection in a
    // transaction; this desk's confirm waits query_wait_timeout and is told the database is
    // busy, with nothing written. Once it is free, the same confirm books once.
    let other = b
        .desk(&c.admin, &ldn_role, budget(2, Duration::from_secs(60)))
        .await;
    let mut held = other.begin().await.unwrap();
    sqlx::query("select 1").execute(&mut *held).await.unwrap();
    let req = desk_request(BookingKind::Recovery, slot, members[2], staff);
    let e = book_at(&desk, &req).await.unwrap_err();
    assert_eq!(e.code(), "unavailable", "{e:?}");
    assert!(
        e.message().contains("busy"),
        "a clear busy state: {}",
        e.message()
    );
    held.commit().await.unwrap();
    assert!(booked(&c, req.idempotency_key).await.is_empty());
    let id = book_at(&desk, &req)
        .await
        .expect("books once the pool has room");
    assert_eq!(booked(&c, req.idempotency_key).await, vec![id]);

    // 3. The server connection killed mid-transaction (a failover, an administrator): the
    // booking made in it is rolled back with it, the desk is told, and the retry books once.
    sqlx::query("delete from benefit_bookings where idempotency_key = $1")
        .bind(req.idempotency_key)
        .execute(&c.admin)
        .await
        .unwrap();
    let mut tx = desk.begin().await.unwrap();
    let pid: i32 = sqlx::query_scalar("select pg_backend_pid()")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    book(&mut *tx, &req).await.unwrap();
    sqlx::query("select pg_terminate_backend($1)")
        .bind(pid)
        .execute(&c.admin)
        .await
        .unwrap();
    let e = Error::from(tx.commit().await.unwrap_err());
    assert_eq!(e.code(), "unavailable", "{e:?}");
    assert!(
        booked(&c, req.idempotency_key).await.is_empty(),
        "rolled back with the connection"
    );
    let id = book_at(&desk, &req).await.expect("the retry books");
    assert_eq!(booked(&c, req.idempotency_key).await, vec![id]);
    let count: i64 = sqlx::query_scalar(
        "select count(*) from benefit_bookings where slot_id = $1 and status = 'booked'",
    )
    .bind(slot)
    .fetch_one(&c.admin)
    .await
    .unwrap();
    assert_eq!(
        count, 3,
        "three members, three bookings: none lost, none doubled"
    );
}

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn a_stolen_desk_login_cannot_read_the_pooler_lookup(admin: PgPool) {
    let c = club(admin).await;
    let (ldn_role, _) = pooler_desks(&c, "lookup").await;
    let _b = Bouncer::start(&c.admin, &[]).await; // installs deploy/pgbouncer/auth.sql
                                                  // The lookup returns password secrets: only PgBouncer's auth_user may call it.
    let mut desk = c.desk(&ldn_role).await;
    for sql in [
        "select * from branch_desk_pooler.lookup('postgres')",
        "select * from branch_desk_pooler.lookup(session_user::text)",
    ] {
        let e = sqlx::query(sql).fetch_all(&mut desk).await.unwrap_err();
        assert_eq!(common::sqlstate::<()>(Err(e)), "42501", "{sql}");
    }
    // What it answers, as PgBouncer's auth_user: desk roles only, never an administrator.
    let mut pooler = PgConnection::connect_with(
        &(*c.admin.connect_options())
            .clone()
            .username("branch_desk_pooler"),
    )
    .await
    .unwrap();
    for (user, answered) in [
        (ldn_role.as_str(), true),
        ("postgres", false),
        ("branch_desk_pooler", false),
    ] {
        let rows: Vec<(String, Option<String>)> =
            sqlx::query_as("select usename::text, passwd from branch_desk_pooler.lookup($1)")
                .bind(user)
                .fetch_all(&mut pooler)
                .await
                .unwrap();
        assert_eq!(rows.len() == 1, answered, "{user}: {rows:?}");
        if answered {
            assert!(rows[0]
                .1
                .as_deref()
                .is_some_and(|p| p.starts_with("SCRAM-SHA-256$")));
        }
    }
}
