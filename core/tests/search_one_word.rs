//! A single typed word (what a desk sends while typing a first name) is ranked over the members
//! of its best-scoring name words only (`search_member_word_hits`), and a name with an initial
//! first over the members with a word of that letter (20261203000100). The oracle
//! is the search as it was before that migration: `search_member_hits` of 20261201000700, read
//! from that migration (migrations are never edited) without its short-word path, so that it
//! fetches and scores every member the word matches. For every query the page a desk gets must
//! be that full scan's page: the same members, scores and order.

mod common;

use common::{club_of, DESK_A, DESK_HQ};
use sqlx::PgPool;

/// The full-scan search: 20261201000700's `search_member_hits`, renamed, with the owner's rights
/// (as `search_members` runs it), and without the path for one or two letters that ranked a
/// bounded set.
fn full_scan_function() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../migrations/20261201000700_member_search_for_real_names.sql"
    );
    let text = std::fs::read_to_string(path).expect("migration 20261201000700");
    let start = text
        .find("create or replace function public.search_member_hits(")
        .expect("the function");
    let end = start + text[start..].find("\n$$;\n").expect("its end") + "\n$$;\n".len();
    let mut f = text[start..end].replace(
        "function public.search_member_hits(",
        "function public.search_member_hits_scan(",
    );
    let short = f
        .find("  if cardinality(typed) = 1 and length(typed[1]) <= 2 then")
        .expect("the short-word path");
    let short_end = short
        + f[short..]
            .find("  -- The tsquery: every typed word")
            .expect("its end");
    f.replace_range(short..short_end, "");
    let f = f.replacen(
        "  language plpgsql stable\n",
        "  language plpgsql stable security definer\n",
        1,
    );
    assert!(f.contains("security definer"));
    f
}

/// Names that test the edges of the cut: whole names that begin with the typed word beyond
/// their first word ("oli" of Oli Vertanen for "olivert"), a whole name that is one typed word
/// ("joan" for Jo An), other spellings, slips, namesakes across branches.
const NAMES: &[(&str, &str)] = &[
    ("Oli", "Vertanen"),
    ("Oliver", "Tanner"),
    ("Olivert", "Smith"),
    ("Jo", "An"),
    ("Joan", "Miró"),
    ("Joanna", "Joan"),
    ("Jean-Luc", "Picard"),
    ("Jean", "Lucas"),
    ("Jürgen", "Müller"),
    ("Juergen", "Mueller"),
    ("Jurgen", "Muller"),
    ("Li", "Na"),
    ("Lina", "Li"),
    ("Ana", "de la Cruz"),
    ("Ana", "Delacruz"),
    ("Siobhán", "O'Brien"),
    ("Þór", "Guðmundsson"),
    ("Thor", "Gudmundsson"),
    ("Zoë", "Ali"),
    ("Mohammed", "Al-Amin"),
    ("Muhammad", "Alamin"),
    // Initials: one-letter name words, proper prefixes of every typed word they begin.
    ("A", "Ng"),
    ("J", "Smith-Jones"),
    ("Ol", "Ivers"),
];

/// What a desk types on its way to a name: every start of the first name from two letters, the
/// same of the last name, the whole name run together, the first name and the last name's
/// first letters, and a slip in a long word.
fn typed_on_the_way(first: &str, last: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut starts = |word: &str| {
        let chars: Vec<char> = word.chars().collect();
        for n in 2..=chars.len().min(10) {
            out.push(chars[..n].iter().collect::<String>());
        }
    };
    starts(first);
    starts(last);
    let run: String = format!("{first}{last}")
        .chars()
        .filter(|c| c.is_alphabetic())
        .collect();
    starts(&run);
    for n in 1..=2 {
        let initial: String = last.chars().take(n).collect();
        out.push(format!("{first} {initial}"));
    }
    for word in [first, last] {
        let chars: Vec<char> = word.chars().collect();
        if chars.len() >= 5 {
            let mut dropped = chars.clone();
            dropped.remove(chars.len() / 2);
            out.push(dropped.into_iter().collect());
            let mut swapped = chars.clone();
            swapped.swap(1, 2);
            out.push(swapped.into_iter().collect());
        }
    }
    out
}

type Page = Vec<(uuid::Uuid, f32)>;

async fn page(desk: &PgPool, function: &str, q: &str, limit: i32) -> Page {
    sqlx::query_as(&format!(
        "select member_id, score from public.{function}($1, $2)"
    ))
    .bind(q)
    .bind(limit)
    .fetch_all(desk)
    .await
    .unwrap_or_else(|e| panic!("{function}({q:?}, {limit}): {e}"))
}

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn one_typed_word_gets_the_full_scans_page(admin: PgPool) {
    let c = club_of(admin, 3_000).await;
    for (n, (first, last)) in NAMES.iter().enumerate() {
        // Every name twice, at two branches: ties go to the desk's own branch.
        for (copy, branch) in [c.branch_a(), c.branch_b()].into_iter().enumerate() {
            sqlx::query(
                "insert into members (member_number, first_name, last_name, home_branch_id, status)
                 values ($1, $2, $3, $4, $5)",
            )
            .bind(format!("W{n:03}{copy}"))
            .bind(first)
            .bind(last)
            .bind(branch)
            .bind(if n % 3 == 0 { "frozen" } else { "active" })
            .execute(&c.admin)
            .await
            .unwrap();
        }
    }
    sqlx::raw_sql(&full_scan_function())
        .execute(&c.admin)
        .await
        .unwrap();
    sqlx::query(
        "grant execute on function public.search_member_hits_scan(text, integer) to public",
    )
    .execute(&c.admin)
    .await
    .unwrap();

    // Queries: the edge names, and 120 of the generated members, as typed on the way.
    let generated: Vec<(String, String)> = sqlx::query_as(
        "select first_name, last_name from members where member_number not like 'W%'
         order by member_number",
    )
    .fetch_all(&c.admin)
    .await
    .unwrap();
    let step = generated.len() / 120;
    let mut queries: Vec<String> = NAMES
        .iter()
        .map(|(f, l)| (f.to_string(), l.to_string()))
        .chain(generated.into_iter().step_by(step).take(120))
        .flat_map(|(f, l)| typed_on_the_way(&f, &l))
        .collect();
    queries.sort();
    queries.dedup();
    assert!(queries.len() > 1_000, "{} queries", queries.len());

    // One word is found through the vocabulary alone: it holds every word of every member.
    let unlearned: i64 = sqlx::query_scalar(
        "select count(*) from members m, unnest(tsvector_to_array(m.name_search)) w
         where w not like '=%' and not exists (select 1 from member_name_words v where v.word = w)",
    )
    .fetch_one(&c.admin)
    .await
    .unwrap();
    assert_eq!(unlearned, 0, "name words missing from the vocabulary");

    // A branch desk (ties to its branch) and head office (no branch of its own).
    let desk = c.desk_pool(DESK_A, 1).await;
    let head_office = c.desk_pool(DESK_HQ, 1).await;
    let mut compared = 0;
    let mut filled = 0;
    let mut differ = Vec::new();
    let mut differing = 0;
    for (i, q) in queries.iter().enumerate() {
        let limit = [20, 20, 20, 1, 5, 100][i % 6];
        let who = if i % 7 == 3 { &head_office } else { &desk };
        let got = page(who, "search_members", q, limit).await;
        let want = page(who, "search_member_hits_scan", q, limit).await;
        compared += 1;
        if got.len() == limit as usize {
            filled += 1;
        }
        if got != want {
            differing += 1;
        }
        if got != want && differ.len() < 10 {
            differ.push(format!(
                "{q:?} (limit {limit}):\n  got  {got:?}\n  want {want:?}"
            ));
        }
    }
    // The cut must have had work to do: many pages are full (a page of 100 seldom is).
    assert!(
        filled * 3 > compared,
        "{filled} of {compared} pages were full"
    );
    assert!(
        differing == 0,
        "{differing} of {compared} queries got another page than the full scan:\n{}",
        differ.join("\n")
    );
}
