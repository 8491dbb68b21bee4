//! Member search on the generated club: each kind of query finds the expected member first,
//! hostile input is handled cleanly, and the trigram and prefix indexes serve the queries.

mod common;

use branch_desk_core::generator::{generate_club, members_for, ClubSpec, MemberRow};
use branch_desk_core::members::search_members;
use branch_desk_core::Error;
use sqlx::PgPool;

const SPEC: ClubSpec = ClubSpec {
    seed: 5,
    members: 2_000,
};

/// Members whose full name nobody else in the club shares (so "first" is well defined).
fn unique_named(members: &[MemberRow]) -> Vec<&MemberRow> {
    let mut counts = std::collections::HashMap::new();
    for m in members {
        *counts
            .entry((m.first_name.to_lowercase(), m.last_name.to_lowercase()))
            .or_insert(0) += 1;
    }
    members
        .iter()
        .filter(|m| counts[&(m.first_name.to_lowercase(), m.last_name.to_lowercase())] == 1)
        .filter(|m| m.last_name.len() >= 5 && m.email.is_some() && m.phone.is_some())
        .collect()
}

fn typo(s: &str) -> String {
    // Swap two letters in the middle: "Robinson" -> "Robnison".
    let mut c: Vec<char> = s.chars().collect();
    let i = c.len() / 2;
    c.swap(i - 1, i);
    c.into_iter().collect()
}

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn each_kind_of_query_finds_the_member_first(admin: PgPool) {
    generate_club(&admin, &SPEC).await.unwrap();
    let members = members_for(&SPEC);
    let candidates = unique_named(&members);
    assert!(
        candidates.len() > 50,
        "enough uniquely named members to test with"
    );
    let mut misses = Vec::new();
    for m in candidates.iter().step_by(candidates.len() / 25).take(25) {
        let digits: String = m
            .phone
            .as_ref()
            .unwrap()
            .chars()
            .filter(|c| c.is_ascii_digit())
            .collect();
        let email = m.email.as_ref().unwrap();
        let queries = [
            ("full name", format!("{} {}", m.first_name, m.last_name)),
            ("swapped", format!("{} {}", m.last_name, m.first_name)),
            ("typo", format!("{} {}", m.first_name, typo(&m.last_name))),
            (
                "lower case",
                format!("{} {}", m.first_name, m.last_name).to_lowercase(),
            ),
            ("email", email.clone()),
            (
                "email local part",
                email.split('@').next().unwrap().to_owned(),
            ),
            ("phone digits", digits[digits.len() - 9..].to_owned()),
            ("phone formatted", m.phone.clone().unwrap()),
            ("member number", m.member_number.clone()),
            ("member number lower", m.member_number.to_lowercase()),
        ];
        for (kind, q) in queries {
            let hits = search_members(&admin, &q, 10).await.unwrap();
            if hits.first().map(|h| h.member_number.as_str()) != Some(m.member_number.as_str()) {
                misses.push(format!(
                    "{kind}: {q:?} -> {:?}",
                    hits.iter()
                        .take(3)
                        .map(|h| (&h.member_number, &h.first_name, &h.last_name, h.score))
                        .collect::<Vec<_>>()
                ));
            }
        }
    }
    // Phone digits and short fragments can legitimately be shared; names, emails and numbers not.
    assert!(
        misses.len() <= 3,
        "{} of 250 queries did not put the member first:\n{}",
        misses.len(),
        misses.join("\n")
    );
}

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn hostile_input_is_handled_cleanly(admin: PgPool) {
    generate_club(
        &admin,
        &ClubSpec {
            seed: 5,
            members: 300,
        },
    )
    .await
    .unwrap();
    for q in [
        "'; drop table members; --",
        "%",
        "_",
        "%%%",
        "\\",
        "a_b%c",
        "🧖‍♀️ sauna",
        "M%",
        "\0x",
        "   ",
        "",
    ] {
        let q = q.replace('\0', "");
        let hits = search_members(&admin, &q, 20)
            .await
            .unwrap_or_else(|e| panic!("{q:?}: {e:?}"));
        assert!(hits.len() <= 20, "{q:?}");
        if ["%", "_", "%%%", "M%", "   ", ""].contains(&q.as_str()) {
            assert!(
                hits.is_empty(),
                "{q:?} is not a wildcard: got {} hits",
                hits.len()
            );
        }
    }
    let members: i64 = sqlx::query_scalar("select count(*) from members")
        .fetch_one(&admin)
        .await
        .unwrap();
    assert_eq!(members, 300, "the table is still there");
    let long = "a".repeat(10_000);
    assert!(
        matches!(
            search_members(&admin, &long, 20).await,
            Err(Error::Invalid { .. })
        ),
        "10,000 characters: a clear error"
    );
    let e = sqlx::query("select * from search_members($1)")
        .bind(&long)
        .fetch_all(&admin)
        .await
        .unwrap_err();
    assert!(
        matches!(Error::from(e), Error::Invalid { .. }),
        "the database refuses it too"
    );
}

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn search_queries_use_the_indexes(admin: PgPool) {
    generate_club(
        &admin,
        &ClubSpec {
            seed: 6,
            members: 20_000,
        },
    )
    .await
    .unwrap();
    // The candidate queries of search_members, as it runs them.
    let cases = [
        (
            "select id from members where name_search @@ '(''olivia'':* | ''olivai'') & ''smi'':*'::tsquery",
            "members_name_search",
        ),
        (
            "select word from member_name_words where keys && name_word_keys('smtih')",
            "member_name_words_keys",
        ),
        (
            "select id from members where lower(email) like '%' || 'smith12' || '%'",
            "members_email_trgm",
        ),
        (
            "select id from members where phone_digits like '%' || '7700900' || '%'",
            "members_phone_digits_trgm",
        ),
        (
            "select id from members where member_number like 'M0012' || '%'",
            "members_member_number_prefix",
        ),
        (
            "select id from members where member_number = 'M001234'",
            "members_member_number",
        ),
        (
            "select id from members where member_number_key = 'M1234'",
            "members_member_number_folded",
        ),
        (
            "select id from members where member_number_digits = '1234'",
            "members_member_number_digits",
        ),
        (
            "select id from members where right(phone_digits, 9) = '700900123'",
            "members_phone_last9",
        ),
        (
            "select id from members where right(phone_digits, 4) = '0123'",
            "members_phone_last4",
        ),
        (
            "select id from members where lower(email) = 'olivia.smith12@example.com'",
            "members_email_lower",
        ),
        (
            "select word from member_name_words where word like 'li%'",
            "member_name_words_prefix",
        ),
    ];
    // At this size a sequential scan may still be cheaper; what must hold is that an index
    // serves each operator, so the planner can use it as the table grows (see the benchmarks).
    let mut tx = admin.begin().await.unwrap();
    sqlx::query("set local enable_seqscan = off")
        .execute(&mut *tx)
        .await
        .unwrap();
    for (sql, index) in cases {
        let plan: Vec<String> = sqlx::query_scalar(&format!("explain {sql}"))
            .fetch_all(&mut *tx)
            .await
            .unwrap();
        let plan = plan.join("\n");
        assert!(plan.contains(index), "{sql} should use {index}:\n{plan}");
        assert!(
            !plan.contains("Seq Scan"),
            "{sql} must not scan the table:\n{plan}"
        );
    }
}

/// The name vocabulary follows the members table: a new member and a renamed one are found by
/// name straight away, with a typo, and a query with a word no one has still lists who matches
/// the rest.
#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn new_and_renamed_members_are_found_by_name(admin: PgPool) {
    generate_club(
        &admin,
        &ClubSpec {
            seed: 5,
            members: 300,
        },
    )
    .await
    .unwrap();
    let (id, number): (uuid::Uuid, String) = sqlx::query_as(
        "insert into members (member_number, first_name, last_name, home_branch_id)
         select 'NEW-1', 'Zebedee', 'O''Quixley-Brandt', id from branches limit 1
         returning id, member_number",
    )
    .fetch_one(&admin)
    .await
    .unwrap();
    let first = |hits: Vec<branch_desk_core::members::MemberHit>| {
        hits.first().map(|h| (h.member_id, h.score))
    };
    for q in [
        "zebedee oquixley",
        "Quixley Zebedee",
        "zeb brandt",
        "Zebedee Oqiuxley",
        "brnadt zebede",
        "Zebedee Nobodyknows",
    ] {
        let hits = search_members(&admin, q, 10).await.unwrap();
        assert_eq!(
            hits.first().map(|h| h.member_id),
            Some(id),
            "{q:?} -> {:?}",
            first(hits)
        );
    }
    let exact = first(
        search_members(&admin, "Zebedee OQuixley Brandt", 10)
            .await
            .unwrap(),
    );
    let slip = first(
        search_members(&admin, "Zebedee OQuixley Brnadt", 10)
            .await
            .unwrap(),
    );
    let partial = first(
        search_members(&admin, "Zebedee OQuixley Bra", 10)
            .await
            .unwrap(),
    );
    let missing = first(
        search_members(&admin, "Zebedee Nobodyknows", 10)
            .await
            .unwrap(),
    );
    assert_eq!(
        exact.map(|e| e.1),
        Some(1.1),
        "every word exact and nothing else, the whole name: the top score a name gets"
    );
    assert!(
        exact.unwrap().1 > slip.unwrap().1 && slip.unwrap().1 > missing.unwrap().1,
        "exact {exact:?} > a slip {slip:?} > a word missing {missing:?}"
    );
    assert!(
        partial.unwrap().1 < 1.0,
        "a word begun scores below a word typed in full"
    );

    sqlx::query("update members set last_name = 'Vantablack' where member_number = $1")
        .bind(&number)
        .execute(&admin)
        .await
        .unwrap();
    let hits = search_members(&admin, "vantablak zebedee", 10)
        .await
        .unwrap();
    assert_eq!(
        hits.first().map(|h| h.member_id),
        Some(id),
        "renamed: {:?}",
        first(hits)
    );
    let old = search_members(&admin, "zebedee quixley", 10).await.unwrap();
    assert!(
        old.iter().all(|h| h.member_id != id || h.score < 1.0),
        "the old name no longer matches in full"
    );
}

/// Namesakes told apart: each hit carries its home branch's name and the member's next live
/// booking today, seen by a desk only at its own branches, and the hits keep the search's order.
#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn hits_carry_home_branch_and_todays_booking(admin: PgPool) {
    let club = common::club(admin.clone()).await;
    let member = club.member_a.id;
    let (first, last, number): (String, String, String) =
        sqlx::query_as("select first_name, last_name, member_number from members where id = $1")
            .bind(member)
            .fetch_one(&admin)
            .await
            .unwrap();
    // Later today at London (or, in the last minutes of a London day, just started): a class
    // booking; a cancelled one earlier and a booking tomorrow that must not show.
    let class: (uuid::Uuid, String) = sqlx::query_as(
        "insert into classes (branch_id, title, starts_at, ends_at, capacity)
         select $1, 'Pilates Reformer', t, t + interval '45 minutes', 8
         from (select case when (now() at time zone 'Europe/London')::time > time '23:50'
                           then now() - interval '20 minutes' else now() + interval '2 minutes' end as t) x
         returning id, to_char(starts_at at time zone 'Europe/London', 'HH24:MI')",
    )
    .bind(club.branch_a())
    .fetch_one(&admin)
    .await
    .unwrap();
    let tomorrow: uuid::Uuid = sqlx::query_scalar(
        "insert into classes (branch_id, title, starts_at, ends_at, capacity)
         values ($1, 'Tomorrow Spin', now() + interval '1 day 1 hour', now() + interval '1 day 2 hours', 8) returning id",
    )
    .bind(club.branch_a())
    .fetch_one(&admin)
    .await
    .unwrap();
    for (target, status) in [(class.0, "booked"), (tomorrow, "booked")] {
        sqlx::query(
            "insert into class_bookings (class_id, member_id, branch_id, starts_at, status)
             select id, $2, branch_id, starts_at, $3 from classes where id = $1",
        )
        .bind(target)
        .bind(member)
        .bind(status)
        .execute(&admin)
        .await
        .unwrap();
    }
    let query = format!("{first} {last}");
    let hit_for = |hits: Vec<branch_desk_core::members::MemberHit>| {
        hits.into_iter()
            .find(|h| h.member_id == member)
            .expect("the member is found")
    };

    let london = club.desk_pool(common::DESK_A, 1).await;
    let hit = hit_for(search_members(&london, &query, 20).await.unwrap());
    assert_eq!(hit.home_branch_name, club.club.branch("LDN").name);
    assert_eq!(
        hit.booked_today.as_deref(),
        Some(format!("Pilates Reformer {}", class.1).as_str())
    );
    // By number too, and the member's panel is not needed for it.
    let by_number = hit_for(search_members(&london, &number, 5).await.unwrap());
    assert_eq!(by_number.booked_today, hit.booked_today);

    // New York's desk does not see London's bookings; head office does.
    let new_york = club.desk_pool(common::DESK_B, 1).await;
    let hit = hit_for(search_members(&new_york, &query, 20).await.unwrap());
    assert_eq!(hit.home_branch_name, club.club.branch("LDN").name);
    assert_eq!(hit.booked_today, None);
    let hq = club.desk_pool(common::DESK_HQ, 1).await;
    assert!(hit_for(search_members(&hq, &query, 20).await.unwrap())
        .booked_today
        .is_some());

    // Each change, then what London's desk sees as today's booking.
    let after = |sql: &'static str| {
        let (admin, london, query, id) = (admin.clone(), london.clone(), query.clone(), class.0);
        async move {
            sqlx::query(sql).bind(id).execute(&admin).await.unwrap();
            hit_for(search_members(&london, &query, 20).await.unwrap()).booked_today
        }
    };
    // On the waitlist: it says so.
    assert_eq!(
        after("update class_bookings set status = 'waitlisted', waitlisted_at = now() where class_id = $1").await,
        Some(format!("Pilates Reformer {} (waitlist)", class.1))
    );
    // The class itself called off: nothing to show, as for a cancelled booking.
    assert_eq!(
        after("update classes set is_cancelled = true where id = $1").await,
        None
    );
    after("update classes set is_cancelled = false where id = $1").await;
    assert_eq!(
        after("update class_bookings set status = 'cancelled', cancelled_at = now(), cancelled_by = 'staff' where class_id = $1").await,
        None
    );

    // The hits are the search's, in its order (head office, like an administrator, has no home
    // branch to rank first).
    for q in [query.as_str(), last.as_str(), "a", "smith", "07"] {
        let ids: Vec<uuid::Uuid> = search_members(&hq, q, 20)
            .await
            .unwrap()
            .into_iter()
            .map(|h| h.member_id)
            .collect();
        let inner: Vec<uuid::Uuid> =
            sqlx::query_scalar("select member_id from search_member_hits($1, 20)")
                .bind(q)
                .fetch_all(&admin)
                .await
                .unwrap();
        assert_eq!(ids, inner, "order of {q:?}");
    }
}
