//! Classes and a realistic booking history for a generated club: a timetable of classes per
//! branch, recovery slots, and bookings (mostly attended in the past, booked in the future, some
//! cancelled and no-shows, a few staff overrides), never over capacity, never a member twice in
//! one class or slot. Deterministic for a seed.

use chrono::{Duration, NaiveDate};
use rand::seq::index::sample;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

use super::{uuid_from, GeneratedClub};
use crate::error::Result;

#[derive(Debug, Clone)]
pub struct ActivitySpec {
    pub seed: u64,
    /// First local date with classes and slots.
    pub from: NaiveDate,
    /// Last local date (inclusive).
    pub to: NaiveDate,
    /// Stop after this many bookings (the window is filled in start order).
    pub bookings: u64,
    /// Bookings starting before this instant are history (attended, no-show, cancelled).
    pub now: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GeneratedActivity {
    pub classes: u64,
    pub slots: u64,
    pub class_bookings: u64,
    pub benefit_bookings: u64,
}

/// (title, local start, minutes, capacity)
const TIMETABLE: [(&str, &str, i32, i32); 6] = [
    ("Sunrise Yoga", "07:00", 60, 18),
    ("HIIT Express", "09:30", 30, 20),
    ("Lunchtime Spin", "12:15", 45, 24),
    ("Pilates Core", "17:30", 50, 14),
    ("Boxing Fundamentals", "18:45", 60, 16),
    ("Candlelit Stretch", "20:00", 45, 12),
];

struct Target {
    kind: bool, // true: class
    id: Uuid,
    branch_id: Uuid,
    starts_at: chrono::DateTime<chrono::Utc>,
    capacity: i32,
}

/// Writes classes for every day of `from..=to`, the recovery slots of that window, and up to
/// `spec.bookings` bookings, through an administrator connection (a pool, or a transaction the
/// caller commits).
pub async fn generate_activity<'a>(
    admin: impl sqlx::Acquire<'a, Database = sqlx::Postgres>,
    club: &GeneratedClub,
    spec: &ActivitySpec,
) -> Result<GeneratedActivity> {
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    let mut tx = admin.begin().await?;
    let mut classes = 0;
    for branch in &club.branches {
        for (title, start, minutes, capacity) in TIMETABLE {
            let done = sqlx::query!(
                "insert into classes (branch_id, title, instructor, starts_at, ends_at, capacity)
                 select $1, $2, $3, (d + $4::text::time) at time zone b.timezone,
                        (d + $4::text::time) at time zone b.timezone + make_interval(mins => $5), $6
                 from branches b, generate_series($7::date::timestamp, $8::date::timestamp, interval '1 day') d
                 where b.id = $1",
                branch.id,
                title,
                ["Ana Ruiz", "Tom Becker", "Priya Nair", "Kofi Mensah"][classes as usize % 4],
                start,
                minutes,
                capacity,
                spec.from,
                spec.to
            )
            .execute(&mut *tx)
            .await?;
            classes += done.rows_affected();
        }
        let mut day = spec.from;
        while day <= spec.to {
            let end = (day + Duration::days(61)).min(spec.to);
            sqlx::query_scalar!(
                "select public.ensure_facility_slots($1, $2, $3)",
                branch.id,
                day,
                end
            )
            .fetch_one(&mut *tx)
            .await?;
            day = end + Duration::days(1);
        }
    }
    let slots = sqlx::query_scalar!(
        r#"select count(*) as "slots!" from benefit_slots where local_date between $1 and $2"#,
        spec.from,
        spec.to
    )
    .fetch_one(&mut *tx)
    .await?;

    // A union's columns are nullable as far as PostgreSQL says: `!` states they are not.
    let mut targets = sqlx::query_as!(
        Target,
        r#"select true as "kind!", id as "id!", branch_id as "branch_id!", starts_at as "starts_at!",
                  capacity as "capacity!"
           from classes
           where starts_at >= $1 and starts_at < $2
           union all
           select false, id, branch_id, starts_at, capacity from benefit_slots where local_date between $3 and $4
           order by 4, 2"#,
        spec.from.and_hms_opt(0, 0, 0).expect("midnight").and_utc() - Duration::days(1),
        spec.to.and_hms_opt(0, 0, 0).expect("midnight").and_utc() + Duration::days(2),
        spec.from,
        spec.to
    )
    .fetch_all(&mut *tx)
    .await?;
    targets.sort_by_key(|t| (t.starts_at, t.id));

    let members = sqlx::query_scalar!(
        "select id from members where status = 'active' order by member_number"
    )
    .fetch_all(&mut *tx)
    .await?;
    let staff: Vec<(Uuid, Option<Uuid>)> =
        sqlx::query!("select id, branch_id from staff order by email")
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .map(|s| (s.id, s.branch_id))
            .collect();

    // Spread the bookings over the whole window: a little more than the average fill needed,
    // so the count is reached near the window's end.
    let places: u64 = targets.iter().map(|t| t.capacity as u64).sum();
    let mean_fill = (spec.bookings as f64 * 1.15 / places.max(1) as f64).min(1.0);
    let mut rows = Rows::default();
    let mut made = (0u64, 0u64);
    'targets: for t in &targets {
        let fill = rng.gen_range(mean_fill * 0.5..=(mean_fill * 1.5).min(1.0));
        let want = ((t.capacity as f64 * fill).round() as usize).min(members.len());
        for i in sample(&mut rng, members.len(), want) {
            if made.0 + made.1 >= spec.bookings {
                break 'targets;
            }
            let past = t.starts_at < spec.now;
            let status = match (past, rng.gen_range(0..100)) {
                (true, 0..=84) => "attended",
                (true, 85..=91) => "no_show",
                (false, 0..=91) => "booked",
                _ => "cancelled",
            };
            let by_staff = if rng.gen_ratio(2, 5) {
                let at_branch: Vec<Uuid> = staff
                    .iter()
                    .filter(|s| s.1 == Some(t.branch_id))
                    .map(|s| s.0)
                    .collect();
                at_branch
                    .get(rng.gen_range(0..at_branch.len().max(1)))
                    .copied()
            } else {
                None
            };
            let reason = (by_staff.is_some() && rng.gen_ratio(1, 200))
                .then_some("Member's physio recommended an extra session");
            rows.push(t, uuid_from(&mut rng), members[i], status, by_staff, reason);
            if t.kind {
                made.0 += 1;
            } else {
                made.1 += 1;
            }
            if rows.len() >= 10_000 {
                rows.flush(&mut tx).await?;
            }
        }
    }
    rows.flush(&mut tx).await?;
    // Counters equal the rows, as the booking functions keep them.
    sqlx::query!(
        "update classes c set booked_count = x.live
         from (select class_id, count(*) filter (where status in ('booked', 'attended', 'no_show')) as live
               from class_bookings group by class_id) x
         where x.class_id = c.id"
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "update benefit_slots s set booked_count = x.live
         from (select slot_id, count(*) filter (where status in ('booked', 'attended', 'no_show')) as live
               from benefit_bookings group by slot_id) x
         where x.slot_id = s.id"
    )
    .execute(&mut *tx)
    .await?;
    // Inside the transaction: ANALYZE counts the transaction's own new rows.
    sqlx::query!("analyze").execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(GeneratedActivity {
        classes,
        slots: slots as u64,
        class_bookings: made.0,
        benefit_bookings: made.1,
    })
}

/// One generated booking, for either table (a class's or a slot's id as `target`).
struct BookingRow {
    id: Uuid,
    target: Uuid,
    member: Uuid,
    branch: Uuid,
    starts_at: chrono::DateTime<chrono::Utc>,
    status: &'static str,
    staff: Option<Uuid>,
    reason: Option<&'static str>,
}

#[derive(Default)]
struct Rows {
    class: Vec<BookingRow>,
    benefit: Vec<BookingRow>,
}

impl Rows {
    fn len(&self) -> usize {
        self.class.len() + self.benefit.len()
    }

    fn push(
        &mut self,
        t: &Target,
        id: Uuid,
        member: Uuid,
        status: &'static str,
        staff: Option<Uuid>,
        reason: Option<&'static str>,
    ) {
        let row = BookingRow {
            id,
            target: t.id,
            member,
            branch: t.branch_id,
            starts_at: t.starts_at,
            status,
            staff,
            reason,
        };
        if t.kind {
            self.class.push(row);
        } else {
            self.benefit.push(row);
        }
    }

    async fn flush(&mut self, tx: &mut sqlx::PgConnection) -> Result<()> {
        for (table, target_col, rows) in [
            (
                "class_bookings",
                "class_id",
                std::mem::take(&mut self.class),
            ),
            (
                "benefit_bookings",
                "slot_id",
                std::mem::take(&mut self.benefit),
            ),
        ] {
            if rows.is_empty() {
                continue;
            }
            sqlx::query(&format!(
                "insert into {table} (id, {target_col}, member_id, branch_id, starts_at, status, booked_by_staff_id,
                                      capacity_override, override_reason, override_by_staff_id,
                                      created_at, status_changed_at, cancelled_at, cancelled_by, checked_in_at)
                 select id, target, member, branch, starts_at, status, staff,
                        reason is not null, reason, case when reason is not null then staff end,
                        starts_at - interval '3 days', starts_at - interval '1 day',
                        case when status = 'cancelled' then starts_at - interval '1 day' end,
                        case when status = 'cancelled' then case when staff is null then 'member' else 'staff' end end,
                        case when status = 'attended' then starts_at - interval '5 minutes' end
                 from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::timestamptz[], $6::text[], $7::uuid[], $8::text[])
                      as r(id, target, member, branch, starts_at, status, staff, reason)"
            ))
            .bind(rows.iter().map(|r| r.id).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.target).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.member).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.branch).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.starts_at).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.status).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.staff).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.reason).collect::<Vec<_>>())
            .execute(&mut *tx)
            .await?;
        }
        Ok(())
    }
}
