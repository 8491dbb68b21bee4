//! Member search with the names and formats of a real club: typed without accents or
//! transliterated, with punctuation and spaces left out or added, member numbers and phones
//! typed another way, exact names before longer ones, fullwidth and decomposed forms, right-to-
//! left names, and hostile text. Several cultures for each kind; run as a branch desk.

mod common;

use branch_desk_core::members::{search_members, MemberHit};
use branch_desk_core::Error;
use common::{club, Club, DESK_A, DESK_HQ};
use sqlx::PgPool;
use uuid::Uuid;

/// The members the queries look for, added to the generated club (which has namesakes of
/// some of them: that is the point).
const PEOPLE: &[(&str, &str, &str, &str, Option<&str>)] = &[
    // (key, first, last, phone, email)
    (
        "jose",
        "José",
        "García Ibáñez",
        "+44 7432 306739",
        Some("jgi@example.com"),
    ),
    ("zoe", "Zoë", "Ali", "07376 900939", None),
    ("cote", "Sophie", "Côté", "(347) 944-4752", None),
    (
        "muller",
        "Jürgen",
        "Müller",
        "+44 (0)7411 100200",
        Some("j.mueller@example.de"),
    ),
    ("bjorn", "Bjørn", "Ødegaard", "0412 345 678", None),
    ("thor", "Þór", "Guðmundsson", "+61 412 999 001", None),
    ("schafer", "Käthe", "Schäfer", "07700 111222", None),
    ("lindstrom", "Åsa", "Lindström", "07700 111333", None),
    ("lukasz", "Łukasz", "Wiśniewski", "07700 111444", None),
    ("yilmaz", "Ayşegül", "Yılmaz", "07700 111555", None),
    ("nguyen", "Thị Hương", "Nguyễn", "+1 917 555 0199", None),
    ("jeanluc", "Jean-Luc", "Picard", "07700 111666", None),
    ("smithjones", "Harriet", "Smith-Jones", "07700 111777", None),
    ("delacruz", "Ximena", "de la Cruz", "07700 111888", None),
    ("vandermeer", "Joris", "van der Meer", "07700 111999", None),
    ("dasilva", "Gonçalo", "da Silva", "07700 222111", None),
    ("obrien", "Siobhán", "O'Brien", "07700 222333", None),
    ("macdonald", "Fionn", "MacDonald", "07700 222444", None),
    ("wilson", "Olivia", "Wilson", "07700 222555", None),
    (
        "davies_wilson",
        "Olivia",
        "Davies-Wilson",
        "07700 222666",
        None,
    ),
    ("arabic", "محمد", "عبد الله", "07700 222777", None),
];

struct Fixture {
    c: Club,
    ids: std::collections::HashMap<&'static str, (Uuid, String)>,
}

async fn fixture(admin: PgPool) -> Fixture {
    let c = club(admin).await;
    let mut ids = std::collections::HashMap::new();
    for (n, (key, first, last, phone, email)) in PEOPLE.iter().enumerate() {
        let number = format!("M{:06}", 88_000 + n * 7);
        let id: Uuid = sqlx::query_scalar(
            "insert into members (member_number, first_name, last_name, phone, email, home_branch_id)
             values ($1, $2, $3, $4, $5, $6) returning id",
        )
        .bind(&number)
        .bind(first)
        .bind(last)
        .bind(phone)
        .bind(email)
        .bind(c.branch_a())
        .fetch_one(&c.admin)
        .await
        .unwrap();
        ids.insert(*key, (id, number));
    }
    Fixture { c, ids }
}

/// Where the member is, among hits as good as the best (equally good namesakes count as found).
fn among_the_best(hits: &[MemberHit], id: Uuid, within: usize) -> bool {
    let Some(top) = hits.first() else {
        return false;
    };
    hits.iter()
        .take(within)
        .any(|h| h.member_id == id && (h.score - top.score).abs() < 1e-6)
}

fn show(hits: &[MemberHit]) -> String {
    hits.iter()
        .take(5)
        .map(|h| {
            format!(
                "{} {} {} ({:.2})",
                h.member_number, h.first_name, h.last_name, h.score
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn real_names_are_found_however_they_are_typed(admin: PgPool) {
    let f = fixture(admin).await;
    let desk = f.c.desk_pool(DESK_A, 1).await;
    let cases: &[(&str, &[&str])] = &[
        // Without accents.
        (
            "jose",
            &[
                "jose garcia",
                "José García-Ibáñez",
                "garcia ibanez jose",
                "josegarciaibanez",
            ],
        ),
        ("zoe", &["zoe ali", "Ali Zoe"]),
        ("cote", &["sophie cote", "cote sophie"]),
        ("nguyen", &["huong nguyen", "nguyen thi huong", "Thi Huong"]),
        ("lukasz", &["lukasz wisniewski", "wisniewski"]),
        (
            "yilmaz",
            &["aysegul yilmaz", "Ayşegül Yılmaz", "AYŞEGÜL YILMAZ"],
        ),
        // Transliterated, as German, Nordic and Icelandic names are spelt on plain keyboards.
        (
            "muller",
            &[
                "jurgen mueller",
                "juergen muller",
                "jürgen müller",
                "mueller juergen",
            ],
        ),
        (
            "bjorn",
            &["bjoern oedegaard", "bjorn odegaard", "Bjørn Ødegaard"],
        ),
        (
            "thor",
            &["thor gudmundsson", "Þór Guðmundsson", "thor gudmunds"],
        ),
        ("schafer", &["kaethe schaefer", "kathe schafer", "schaefer"]),
        (
            "lindstrom",
            &["aasa lindstroem", "asa lindstrom", "lindstroem"],
        ),
        // Punctuation and spaces left out or added.
        (
            "jeanluc",
            &[
                "jeanluc picard",
                "jean luc picard",
                "Jean-Luc",
                "picard jeanluc",
            ],
        ),
        (
            "smithjones",
            &["harriet smithjones", "smith jones harriet", "smithjones"],
        ),
        (
            "delacruz",
            &["ximena delacruz", "de la cruz ximena", "ximena dela cruz"],
        ),
        (
            "vandermeer",
            &["joris vandermeer", "van der meer", "vandermeer"],
        ),
        (
            "dasilva",
            &["goncalo dasilva", "gonçalo da silva", "dasilva goncalo"],
        ),
        (
            "obrien",
            &[
                "siobhan obrien",
                "siobhán o'brien",
                "o brien siobhan",
                "Siobhan O’Brien",
            ],
        ),
        ("macdonald", &["fionn mac donald", "fionn macdonald"]),
        // Fullwidth and decomposed forms.
        (
            "jose",
            &["ｊｏｓｅ ｇａｒｃｉａ", "Jose\u{301} Garci\u{301}a"],
        ),
        ("zoe", &["Zoe\u{308} Ali"]),
        // Right to left.
        ("arabic", &["محمد عبد الله", "عبد الله محمد", "عبدالله"]),
    ];
    let mut misses = Vec::new();
    for (key, queries) in cases {
        let (id, _) = f.ids[key];
        for q in *queries {
            let hits = search_members(&desk, q, 20).await.unwrap();
            if !among_the_best(&hits, id, 5) {
                misses.push(format!("{key}: {q:?} -> {}", show(&hits)));
            }
        }
    }
    assert!(
        misses.is_empty(),
        "not found among the best:\n{}",
        misses.join("\n")
    );
}

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn numbers_phones_and_emails_however_they_are_typed(admin: PgPool) {
    let f = fixture(admin).await;
    let desk = f.c.desk_pool(DESK_A, 1).await;
    let (jose, jose_number) = f.ids["jose"].clone();
    let digits = jose_number.trim_start_matches('M').to_owned();
    let unpadded = digits.trim_start_matches('0').to_owned();
    let first = |hits: &[MemberHit]| hits.first().map(|h| h.member_id);
    for q in [
        jose_number.clone(),
        jose_number.to_lowercase(),
        format!("M{unpadded}"),
        format!("m-{digits}"),
        format!("#{digits}"),
        format!("M {digits}"),
        unpadded.clone(),
        digits.to_string(),
    ] {
        let hits = search_members(&desk, &q, 20).await.unwrap();
        assert_eq!(
            first(&hits),
            Some(jose),
            "member number {q:?} -> {}",
            show(&hits)
        );
        assert!(
            hits[0].score >= 2.9,
            "an exact member number ranks first: {q:?}"
        );
    }
    // Phones: stored "+44 7432 306739" and "(347) 944-4752".
    for (key, q) in [
        ("jose", "07432 306739"),
        ("jose", "+44 (0)7432 306739"),
        ("jose", "0044 7432 306739"),
        ("jose", "7432306739"),
        ("jose", "+447432306739"),
        ("cote", "+13479444752"),
        ("cote", "347 944 4752"),
        ("cote", "347.944.4752"),
        ("muller", "07411 100200"),
        ("muller", "+44 7411 100200"),
        ("bjorn", "+61 412 345 678"),
        ("nguyen", "(917) 555-0199"),
    ] {
        let (id, _) = f.ids[key];
        let hits = search_members(&desk, q, 20).await.unwrap();
        assert_eq!(first(&hits), Some(id), "phone {q:?} -> {}", show(&hits));
    }
    // The last four digits: "ends with", not "contains".
    let hits = search_members(&desk, "4752", 20).await.unwrap();
    assert!(
        hits.iter().any(|h| h.member_id == f.ids["cote"].0),
        "the last four digits find the member: {}",
        show(&hits)
    );
    let all_end: Vec<String> = hits
        .iter()
        .filter(|h| h.score < 2.9)
        .filter_map(|h| h.phone.clone())
        .filter(|p| {
            !p.chars()
                .filter(|c| c.is_ascii_digit())
                .collect::<String>()
                .ends_with("4752")
        })
        .collect();
    assert!(
        all_end.is_empty(),
        "phone hits for 4752 all end with it: {all_end:?}"
    );
    // Emails, whole and in part.
    for q in [
        "jgi@example.com",
        "JGI@Example.com",
        "j.mueller",
        "mueller@example",
    ] {
        let hits = search_members(&desk, q, 20).await.unwrap();
        let want = if q.contains("mueller") {
            f.ids["muller"].0
        } else {
            jose
        };
        assert!(
            among_the_best(&hits, want, 3),
            "email {q:?} -> {}",
            show(&hits)
        );
    }
}

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn exact_names_rank_first_then_this_branch(admin: PgPool) {
    let f = fixture(admin).await;
    let desk = f.c.desk_pool(DESK_A, 1).await;
    let hits = search_members(&desk, "olivia wilson", 20).await.unwrap();
    let pos = |key: &str| hits.iter().position(|h| h.member_id == f.ids[key].0);
    assert!(
        pos("wilson").is_some() && pos("wilson") < pos("davies_wilson"),
        "Olivia Wilson before Olivia Davies-Wilson: {}",
        show(&hits)
    );
    assert!(
        hits[0].score > 1.0,
        "the exact whole name scores above every partial match"
    );

    // Two Olivia Wilsons: the desk's own branch first, whatever the names sort to.
    let other: Uuid = sqlx::query_scalar(
        "insert into members (member_number, first_name, last_name, home_branch_id)
         values ('A000001', 'Olivia', 'Wilson', $1) returning id",
    )
    .bind(f.c.branch_b())
    .fetch_one(&f.c.admin)
    .await
    .unwrap();
    let hits = search_members(&desk, "olivia wilson", 20).await.unwrap();
    let mine = hits.iter().position(|h| h.member_id == f.ids["wilson"].0);
    let theirs = hits.iter().position(|h| h.member_id == other);
    assert!(
        mine < theirs,
        "this branch's namesake first: {}",
        show(&hits)
    );
    // A head-office desk has no branch of its own: the name (then number) decides.
    let hq = f.c.desk_pool(DESK_HQ, 1).await;
    let hits = search_members(&hq, "olivia wilson", 20).await.unwrap();
    assert_eq!(
        hits[0].member_id,
        other,
        "A000001 sorts before M-numbers: {}",
        show(&hits)
    );

    // Prefixes before slips: "olivia wils" is a start, "olivia wislon" a slip.
    let start = search_members(&desk, "olivia wils", 20).await.unwrap();
    let slip = search_members(&desk, "olivia wislon", 20).await.unwrap();
    let score = |hits: &[MemberHit]| {
        hits.iter()
            .find(|h| h.member_id == f.ids["wilson"].0)
            .map(|h| h.score)
    };
    assert!(
        score(&start) > score(&slip) && score(&slip) > Some(0.0),
        "a start {:?} ranks above a slip {:?}",
        score(&start),
        score(&slip)
    );
}

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn hostile_and_odd_text_is_handled_cleanly(admin: PgPool) {
    let f = fixture(admin).await;
    let desk = f.c.desk_pool(DESK_A, 1).await;
    for q in [
        "",
        "   ",
        "\t\n",
        "%",
        "_",
        "\\",
        "'",
        "''",
        "\"",
        "O'Brien",
        "smith & !olivia | (a:*",
        "a:* & b",
        "!!!",
        "🧖‍♀️",
        "🧖‍♀️ sauna",
        "e\u{301}\u{301}\u{301}",
        "\u{202e}nosliw aivilo",
        "ｓｍｉｔｈ",
        "\u{200b}",
        "M%",
        "1%",
        "@",
        "+",
        "(0)",
    ] {
        let hits = search_members(&desk, q, 20)
            .await
            .unwrap_or_else(|e| panic!("{q:?}: {e:?}"));
        assert!(hits.len() <= 20, "{q:?}");
        if [
            "", "   ", "\t\n", "%", "_", "\\", "'", "''", "\"", "!!!", "\u{200b}", "@", "+", "(0)",
            "M%", "1%",
        ]
        .contains(&q)
        {
            assert!(hits.is_empty(), "{q:?} is no search: {}", show(&hits));
        }
    }
    let hits = search_members(&desk, "ｓｍｉｔｈ", 20).await.unwrap();
    assert!(
        !hits.is_empty()
            && hits
                .iter()
                .all(|h| h.last_name.to_lowercase().contains("smith")
                    || h.first_name.to_lowercase().contains("smith")),
        "fullwidth letters are letters: {}",
        show(&hits)
    );
    let long = "a".repeat(10_000);
    assert!(matches!(
        search_members(&desk, &long, 20).await,
        Err(Error::Invalid { .. })
    ));
    // Within 200 characters, but six times longer once folded ("㌖" is "キロメートル").
    let grows = "㌖".repeat(114);
    assert!(
        matches!(
            search_members(&desk, &grows, 20).await,
            Err(Error::Invalid { .. })
        ),
        "text that folding lengthens is refused in words"
    );
    let e = sqlx::query("select * from search_members($1)")
        .bind(&long)
        .fetch_all(&desk)
        .await
        .unwrap_err();
    assert!(
        matches!(Error::from(e), Error::Invalid { .. }),
        "the database refuses it too"
    );
    let members: i64 = sqlx::query_scalar("select count(*) from members")
        .fetch_one(&f.c.admin)
        .await
        .unwrap();
    assert_eq!(members, 200 + PEOPLE.len() as i64, "nothing was written");
}

/// A single short start ranks a bounded set: its own word first ("li" before "liam"), and only
/// as many members as fill the page are scored.
#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn a_short_start_ranks_its_own_word_first(admin: PgPool) {
    let f = fixture(admin).await;
    for (n, (first, last)) in [
        ("Li", "Wang"),
        ("Liam", "Li"),
        ("Lia", "Zhou"),
        ("Liv", "Ullmann"),
    ]
    .iter()
    .enumerate()
    {
        sqlx::query("insert into members (member_number, first_name, last_name, home_branch_id) values ($4, $1, $2, $3)")
            .bind(first)
            .bind(last)
            .bind(f.c.branch_a())
            .bind(format!("S-{n}"))
            .execute(&f.c.admin)
            .await
            .unwrap();
    }
    let desk = f.c.desk_pool(DESK_A, 1).await;
    let hits = search_members(&desk, "li", 20).await.unwrap();
    assert!(!hits.is_empty());
    let exact_first = hits
        .iter()
        .take_while(|h| (h.score - 1.0).abs() < 1e-6)
        .count();
    assert!(
        exact_first >= 2,
        "members with the word \"li\" come first: {}",
        show(&hits)
    );
    assert!(
        hits[..exact_first]
            .iter()
            .all(|h| h.first_name == "Li" || h.last_name == "Li"),
        "{}",
        show(&hits)
    );
}

/// A session's standard_conforming_strings does not change what search finds.
#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn session_string_settings_do_not_change_results(admin: PgPool) {
    let f = fixture(admin).await;
    let desk = f.c.desk_pool(DESK_A, 1).await;
    let mut off = f.c.desk(DESK_A).await;
    sqlx::query("set standard_conforming_strings = off")
        .execute(&mut off)
        .await
        .unwrap();
    let (_, number) = f.ids["jose"].clone();
    for q in [
        number.replace('M', "M "),
        "m-088000".into(),
        "07432 306739".into(),
        "o'brien siobhan".into(),
        "jose garcia".into(),
    ] {
        let a: Vec<Uuid> = search_members(&desk, &q, 20)
            .await
            .unwrap()
            .into_iter()
            .map(|h| h.member_id)
            .collect();
        let b: Vec<Uuid> = search_members(&mut off, &q, 20)
            .await
            .unwrap()
            .into_iter()
            .map(|h| h.member_id)
            .collect();
        assert_eq!(a, b, "{q:?}");
        assert!(!a.is_empty(), "{q:?} finds someone");
    }
}
