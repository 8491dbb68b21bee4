//! Who the generated members are: names from the cultures a big-city club's members come from,
//! spelt as they are (diacritics, apostrophes, particles, hyphens, several words), with the
//! very common names very common (thousands of Smiths and Nguyens in a large club), and some
//! stored the way people register when a form or keyboard will not take their letters.
//! Phones are written the way people type them. Search is measured against this club, so it
//! must look like a real one.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// A culture's given names and family names, most common first; `share` is its part of the
/// club (out of the sum of all shares).
struct Culture {
    share: u32,
    given: &'static [&'static str],
    family: &'static [&'static str],
}

#[rustfmt::skip]
const CULTURES: &[Culture] = &[
    Culture {
        share: 30,
        given: &[
            "Olivia", "Oliver", "Amelia", "George", "Isla", "Noah", "Ava", "Arthur", "Mia", "Leo",
            "Grace", "Harry", "Emily", "Jack", "Sophia", "Charlie", "Lily", "Henry", "Freya",
            "Oscar", "Chloe", "Liam", "Ruby", "James", "Evelyn", "William", "Charlotte", "Thomas",
            "Zoe", "Theodore", "Harper", "Lucas", "Ella", "Samuel", "Poppy", "Joshua", "Daisy",
            "Elijah", "Alice", "Daniel", "Florence", "Matthew", "Rosie", "Benjamin", "Imogen",
        ],
        family: &[
            "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
            "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards",
            "Hughes", "Green", "Hall", "Lewis", "Harris", "Clarke", "Jackson", "Wood", "Turner",
            "Martin", "Cooper", "Hill", "Ward", "Morris", "Moore", "Clark", "King", "Baker",
            "Harrison", "Morgan", "Allen", "Scott", "Phillips", "Watson", "Davis", "Parker",
            "Price", "Bennett", "Young", "Griffiths", "Mitchell", "Cook", "Carter", "Richardson",
            "Bailey", "Collins", "Bell", "Shaw", "Cox", "Richards", "Marshall", "Anderson",
            "Simpson", "Ellis", "Adams", "Fox", "Lloyd", "St John", "Featherstonehaugh",
        ],
    },
    Culture {
        share: 5,
        given: &[
            "Niamh", "Aoife", "Saoirse", "Siobhán", "Caoimhe", "Róisín", "Seán", "Cian", "Eoin",
            "Oisín", "Pádraig", "Ciarán", "Éabha", "Tadhg", "Darragh", "Aisling", "Colm", "Fionn",
        ],
        family: &[
            "Murphy", "Kelly", "O'Sullivan", "Walsh", "O'Brien", "Byrne", "Ryan", "O'Connor",
            "O'Neill", "O'Reilly", "Doyle", "McCarthy", "Gallagher", "Ó Súilleabháin", "MacDonald",
            "McLaughlin", "Mac Giolla Phádraig", "Ní Bhriain", "O'Donoghue", "MacNeil",
        ],
    },
    Culture {
        share: 5,
        given: &[
            "Jean-Luc", "Marie-Claire", "Élodie", "Chloé", "Léa", "Zoé", "Théo", "Hélène", "Gaëlle",
            "François", "Amélie", "Benoît", "Cécile", "Jérôme", "Anaïs", "Noël", "Loïc",
            "Jean-Baptiste", "Maëlle", "Séverine", "Raphaël", "Inès", "Océane",
        ],
        family: &[
            "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
            "Leroy", "Moreau", "Lefèvre", "Côté", "Gagnon", "Bélanger", "Lévesque", "Roy",
            "Dupont", "de la Fontaine", "Le Blanc", "d'Aubigné", "Fournier", "Girard", "Mercier",
            "Lefebvre-Chevalier", "Saint-Exupéry",
        ],
    },
    Culture {
        share: 8,
        given: &[
            "José", "María", "Lucía", "Sofía", "Martín", "Matías", "Valentina", "Camila",
            "Santiago", "Mateo", "Diego", "Ximena", "Íñigo", "Nuria", "Begoña", "Ángel", "Jesús",
            "María José", "Juan Carlos", "Mónica", "Andrés", "Raúl", "Inés", "Sebastián", "Adrián",
        ],
        family: &[
            "García", "Rodríguez", "Martínez", "López", "González", "Hernández", "Pérez",
            "Sánchez", "Ramírez", "Torres", "Flores", "Gómez", "Díaz", "Muñoz", "Álvarez",
            "Jiménez", "Núñez", "de la Cruz", "del Río", "Ibáñez", "García-Márquez",
            "Fernández de Córdoba", "Ortiz", "Vázquez", "Castillo",
        ],
    },
    Culture {
        share: 4,
        given: &[
            "João", "José", "Gonçalo", "Inês", "Mariana", "Beatriz", "Tomás", "Sebastião",
            "Luíza", "Conceição", "Thiago", "Gabriel", "Letícia", "Júlia", "Vitória", "Caio",
        ],
        family: &[
            "da Silva", "dos Santos", "Oliveira", "Souza", "Pereira", "Ferreira", "Rodrigues",
            "Almeida", "Gonçalves", "Araújo", "Magalhães", "Simões", "Carvalho", "da Costa",
            "Sousa", "de Souza e Silva", "Conceição",
        ],
    },
    Culture {
        share: 5,
        given: &[
            "Jürgen", "Jörg", "Günther", "Lukas", "Jonas", "Leonie", "Lena", "Hannah", "Emma",
            "Maximilian", "Felix", "Sophie", "Björn", "Käthe", "Ute", "Dörte", "Hans-Peter",
            "Anna-Lena", "Uwe", "Jürgen",
        ],
        family: &[
            "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
            "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf",
            "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann",
            "Hartmann", "Köhler", "Weiß", "Groß", "Strauß", "von Bülow", "Müller-Lüdenscheidt",
            "Mueller", "Schaefer",
        ],
    },
    Culture {
        share: 3,
        given: &[
            "Sanne", "Daan", "Sem", "Lotte", "Bram", "Anouk", "Thijs", "Fenna", "Joris",
            "Maartje", "Jeroen", "Ruud", "Femke", "Sjoerd", "IJsbrand",
        ],
        family: &[
            "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen",
            "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters",
            "Hendriks", "van Leeuwen", "van der Meer", "van der Linden", "van 't Hof",
        ],
    },
    Culture {
        share: 4,
        given: &[
            "Bjørn", "Jørgen", "Søren", "Åse", "Ingrid", "Astrid", "Sven", "Lars", "Mette",
            "Kirsten", "Oskar", "Elin", "Björn", "Linnéa", "Märta", "Åsa", "Kjell", "Øystein",
            "Sigrún", "Ærling", "Frøydis",
        ],
        family: &[
            "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Jensen",
            "Karlsen", "Ødegaard", "Solberg", "Bjørnstad", "Lindström", "Johansson", "Andersson",
            "Karlsson", "Nilsson", "Eriksson", "Lindqvist", "Åberg", "Sjöberg", "Ström",
            "Bergström", "Sørensen", "Kjærgaard", "Lindstrøm", "Haugen",
        ],
    },
    Culture {
        share: 1,
        given: &[
            "Þór", "Þórunn", "Guðrún", "Sigríður", "Jón", "Guðmundur", "Björk", "Ólafur",
            "Ragnhildur", "Eiður", "Hafþór", "Ásdís",
        ],
        family: &[
            "Jónsdóttir", "Guðmundsson", "Sigurðsson", "Þórsdóttir", "Ólafsson", "Magnússon",
            "Halldórsdóttir", "Þorsteinsson", "Einarsdóttir",
        ],
    },
    Culture {
        share: 4,
        given: &[
            "Łukasz", "Małgorzata", "Paweł", "Wojciech", "Agnieszka", "Zofia", "Jakub",
            "Katarzyna", "Michał", "Krzysztof", "Dorota", "Tomáš", "Jiří", "Lucie", "Petra",
            "Bożena", "Grzegorz", "Żaneta",
        ],
        family: &[
            "Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski",
            "Zieliński", "Szymański", "Woźniak", "Dąbrowski", "Kozłowski", "Jankowski", "Mazur",
            "Novák", "Dvořák", "Černý", "Procházková", "Król", "Łukaszewicz",
        ],
    },
    Culture {
        share: 4,
        given: &[
            "Ayşe", "Fatma", "Emine", "Zeynep", "Elif", "Mehmet", "Mustafa", "Ahmet", "Ali",
            "Hüseyin", "İbrahim", "Çağla", "Şükrü", "Öykü", "Ümit", "Gülşen", "Ilgın", "Tuğba",
        ],
        family: &[
            "Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Yıldırım", "Öztürk", "Aydın",
            "Özdemir", "Arslan", "Doğan", "Kılıç", "Aslan", "Çetin", "Kara", "Koç", "Kurt",
            "Özkan", "Şimşek", "Ağaoğlu",
        ],
    },
    Culture {
        share: 5,
        given: &[
            "Muhammad", "Mohammed", "Mohamed", "Ahmed", "Omar", "Yusuf", "Fatima", "Aisha",
            "Layla", "Leila", "Noor", "Mariam", "Khalid", "Hassan", "Hussein", "Ali", "Zainab",
            "Amira", "Abdul Rahman", "Nour El Houda",
        ],
        family: &[
            "Al-Sayed", "El-Amin", "Al Hashimi", "Abdullah", "Haddad", "Khoury", "Nasser",
            "Mansour", "Saleh", "Hamdan", "Ben Ali", "Bou Khalil", "Al-Farsi", "El Masry",
            "Abu-Bakr", "Al-Qahtani", "Ibrahim",
        ],
    },
    Culture {
        share: 7,
        given: &[
            "Priya", "Arjun", "Ananya", "Rohan", "Aarav", "Ishaan", "Diya", "Kavya", "Vikram",
            "Sanjay", "Deepika", "Rahul", "Lakshmi", "Karthik", "Siddharth", "Gurpreet",
            "Harpreet", "Jaspreet", "Aditi", "Neha", "Amit", "Pooja",
        ],
        family: &[
            "Patel", "Singh", "Sharma", "Kumar", "Shah", "Gupta", "Reddy", "Iyer", "Nair",
            "Menon", "Pillai", "Rao", "Khan", "Chaudhry", "Bhattacharya", "Mukherjee", "Desai",
            "Joshi", "Krishnan", "Subramanian", "Venkataraman",
        ],
    },
    Culture {
        share: 5,
        given: &[
            "Wei", "Mei", "Jing", "Hui", "Yan", "Lei", "Jun", "Xin", "Yu", "Ming", "Hao", "Jiawei",
            "Xinyi", "Zihan", "Yuxuan", "Haoran", "Siyu", "Meiling", "Ying", "Li Na", "Xiaoming",
        ],
        family: &[
            "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu",
            "Sun", "Ma", "Zhu", "Hu", "Guo", "He", "Lin", "Luo", "Gao", "Wong", "Chan", "Cheung",
            "Leung", "Lau", "Ng", "Ho", "Lam", "Tsang", "Ou-Yang",
        ],
    },
    Culture {
        share: 3,
        given: &[
            "Anh", "Minh", "Thảo", "Linh", "Hương", "Quang", "Tuấn", "Hùng", "Phương", "Ngọc",
            "Trang", "Dũng", "Đức", "Thanh", "Hải", "Long", "Minh Anh", "Thị Hồng",
        ],
        family: &[
            "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
            "Đỗ", "Hồ", "Ngô", "Dương", "Lý",
        ],
    },
    Culture {
        share: 2,
        given: &[
            "Min-jun", "Seo-yeon", "Ji-ho", "Ha-eun", "Do-yun", "Ji-woo", "Seo-jun", "Su-bin",
            "Ye-jin", "Eun-ji", "Hyun-woo",
        ],
        family: &["Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim", "Han", "Oh"],
    },
    Culture {
        share: 2,
        given: &[
            "Yuki", "Haruto", "Sakura", "Yui", "Sōta", "Riku", "Hina", "Ren", "Aoi", "Kenji",
            "Yūto", "Kōki", "Shōta", "Ayumi",
        ],
        family: &[
            "Satō", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Itō", "Yamamoto", "Nakamura",
            "Kobayashi", "Katō", "Yoshida", "Yamada", "Saitō", "Matsumoto", "Inoue", "Kimura",
        ],
    },
    Culture {
        share: 4,
        given: &[
            "Chidi", "Ngozi", "Chinedu", "Adaeze", "Oluwaseun", "Adebayo", "Funmilayo", "Tunde",
            "Kwame", "Ama", "Kofi", "Abena", "Yaw", "Efua", "Ifeoma", "Emeka", "Nnamdi",
            "Oluwadamilare",
        ],
        family: &[
            "Okafor", "Okeke", "Eze", "Nwosu", "Adeyemi", "Okonkwo", "Balogun", "Adewale",
            "Ogunleye", "Mensah", "Asante", "Boateng", "Owusu", "Osei", "Agyeman", "Obi",
            "Oyelaran-Oyeyinka",
        ],
    },
    Culture {
        share: 3,
        given: &[
            "Giulia", "Chiara", "Matteo", "Luca", "Francesca", "Alessandro", "Lorenzo", "Niccolò",
            "Andrea", "Giorgia", "Federica", "Tommaso", "Gianluca", "Maria Grazia",
        ],
        family: &[
            "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci",
            "Marino", "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa",
            "D'Angelo", "Di Stefano", "Dell'Acqua", "Lo Russo",
        ],
    },
    Culture {
        share: 2,
        given: &[
            "Giorgos", "Dimitris", "Eleni", "Maria", "Konstantinos", "Ioannis", "Nikos",
            "Katerina", "Sofia", "Vasiliki",
        ],
        family: &[
            "Papadopoulos", "Papadakis", "Georgiou", "Nikolaou", "Konstantinidis", "Dimitriou",
            "Oikonomou", "Karagiannis", "Papageorgiou-Vlachou",
        ],
    },
    Culture {
        share: 3,
        given: &[
            "Dmitri", "Anastasia", "Sergei", "Olga", "Natalia", "Alexei", "Yulia", "Ivan",
            "Mikhail", "Ekaterina", "Oleksandr", "Olena", "Tetiana", "Volodymyr",
        ],
        family: &[
            "Ivanov", "Smirnov", "Kuznetsov", "Popov", "Petrova", "Sokolova", "Volkov",
            "Shevchenko", "Kovalenko", "Bondarenko", "Tkachenko", "Rimsky-Korsakov",
        ],
    },
];

/// Index of a name in a list whose first names are the most common: roughly Zipf, so the top
/// name of a culture is several times as common as its tenth.
fn common_first(rng: &mut ChaCha8Rng, len: usize) -> usize {
    let total: f64 = (1..=len).map(|r| 1.0 / r as f64).sum();
    let mut x = rng.gen::<f64>() * total;
    for r in 1..=len {
        x -= 1.0 / r as f64;
        if x <= 0.0 {
            return r - 1;
        }
    }
    len - 1
}

/// A member's given and family names as stored. Most are written as the member writes them;
/// some were registered where the letters could not be typed (accents dropped, or the German
/// and Nordic ones spelt out: Müller as Mueller), and a few English members have a
/// double-barrelled surname.
pub fn person(rng: &mut ChaCha8Rng) -> (String, String) {
    let total: u32 = CULTURES.iter().map(|c| c.share).sum();
    let mut pick = rng.gen_range(0..total);
    let culture = CULTURES
        .iter()
        .find(|c| {
            if pick < c.share {
                true
            } else {
                pick -= c.share;
                false
            }
        })
        .expect("a culture");
    let given = culture.given[common_first(rng, culture.given.len())].to_owned();
    let mut family = culture.family[common_first(rng, culture.family.len())].to_owned();
    if std::ptr::eq(culture, &CULTURES[0]) && rng.gen_ratio(3, 100) {
        let other = culture.family[common_first(rng, culture.family.len())];
        if other != family {
            family = format!("{family}-{other}");
        }
    }
    match rng.gen_range(0..100) {
        0..=11 => (ascii_letters(&given, false), ascii_letters(&family, false)),
        12..=14 => (ascii_letters(&given, true), ascii_letters(&family, true)),
        _ => (given, family),
    }
}

/// Letters a plain keyboard has: accents dropped, and the letters that have no plain form
/// spelt out (ß ss, æ ae, ø o, þ th, ð d, ł l, ı i); `spelt_out` writes ä ö ü ø å as ae oe ue
/// oe aa, as German and Nordic speakers do.
pub fn ascii_letters(s: &str, spelt_out: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let lower = c.is_lowercase();
        let mapped: &str = match c.to_lowercase().next().unwrap_or(c) {
            'ä' if spelt_out => "ae",
            'ö' | 'ø' if spelt_out => "oe",
            'ü' if spelt_out => "ue",
            'å' if spelt_out => "aa",
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' | 'ā' | 'ą' => "a",
            'é' | 'è' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' | 'ẹ' => "e",
            'í' | 'ì' | 'î' | 'ï' | 'ī' | 'ı' | 'ị' => "i",
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ø' | 'ō' | 'ọ' | 'ơ' | 'ố' | 'ồ' | 'ộ' | 'ớ' | 'ờ'
            | 'ợ' => "o",
            'ú' | 'ù' | 'û' | 'ü' | 'ū' | 'ů' | 'ư' | 'ụ' | 'ứ' | 'ừ' => "u",
            'ý' | 'ÿ' | 'ỳ' => "y",
            'ç' | 'ć' | 'č' => "c",
            'ñ' | 'ń' | 'ň' => "n",
            'ś' | 'š' | 'ş' => "s",
            'ź' | 'ż' | 'ž' => "z",
            'ğ' => "g",
            'ł' => "l",
            'ř' => "r",
            'ď' | 'đ' | 'ð' => "d",
            'ť' => "t",
            'ß' => "ss",
            'æ' => "ae",
            'œ' => "oe",
            'þ' => "th",
            'ả' | 'ạ' | 'ầ' | 'ấ' | 'ậ' | 'ẩ' | 'ắ' | 'ặ' => "a",
            'ế' | 'ề' | 'ệ' | 'ể' => "e",
            'ỹ' => "y",
            _ => "",
        };
        if mapped.is_empty() {
            out.push(c);
        } else if lower {
            out.push_str(mapped);
        } else {
            let mut chars = mapped.chars();
            if let Some(first) = chars.next() {
                out.extend(first.to_uppercase());
                out.push_str(chars.as_str());
            }
        }
    }
    out
}

/// The branch's country, for the shape of its members' phone numbers.
#[derive(Debug, Clone, Copy)]
pub enum PhoneStyle {
    Uk,
    Us,
    Au,
}

/// A mobile number in one of the ways people write it: with or without the country code (and
/// the UK's "(0)"), in groups, with dots, dashes or nothing.
pub fn phone_number(rng: &mut ChaCha8Rng, style: PhoneStyle) -> String {
    let d = |rng: &mut ChaCha8Rng, n: usize| -> String {
        (0..n)
            .map(|_| char::from(b'0' + rng.gen_range(0..10)))
            .collect()
    };
    match style {
        PhoneStyle::Uk => {
            let (a, b) = (format!("7{}", d(rng, 3)), d(rng, 6));
            match rng.gen_range(0..6) {
                0 => format!("+44 {a} {b}"),
                1 => format!("0{a} {} {}", &b[..3], &b[3..]),
                2 => format!("0{a}{b}"),
                3 => format!("+44 (0){a} {b}"),
                4 => format!("0044 {a} {b}"),
                _ => format!("0{a} {b}"),
            }
        }
        PhoneStyle::Us => {
            let area = ["212", "347", "646", "718", "917", "929", "332"][rng.gen_range(0..7)];
            let (a, b) = (d(rng, 3), d(rng, 4));
            match rng.gen_range(0..6) {
                0 => format!("({area}) {a}-{b}"),
                1 => format!("{area}-{a}-{b}"),
                2 => format!("+1 {area} {a} {b}"),
                3 => format!("{area}{a}{b}"),
                4 => format!("{area}.{a}.{b}"),
                _ => format!("+1 ({area}) {a}-{b}"),
            }
        }
        PhoneStyle::Au => {
            let (a, b, c) = (format!("4{}", d(rng, 2)), d(rng, 3), d(rng, 3));
            match rng.gen_range(0..4) {
                0 => format!("0{a} {b} {c}"),
                1 => format!("+61 {a} {b} {c}"),
                2 => format!("0{a}{b}{c}"),
                _ => format!("+61{a}{b}{c}"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn plain_letters_keep_case_and_spell_out_what_they_must() {
        assert_eq!(
            ascii_letters("José Müller-Ødegaard", false),
            "Jose Muller-Odegaard"
        );
        assert_eq!(
            ascii_letters("Müller Ødegaard Åse", true),
            "Mueller Oedegaard Aase"
        );
        assert_eq!(
            ascii_letters("Þór Guðrún Straße Łukasz Yılmaz", false),
            "Thor Gudrun Strasse Lukasz Yilmaz"
        );
    }

    #[test]
    fn a_large_club_has_common_names_in_thousands_and_many_spellings() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let people: Vec<(String, String)> = (0..200_000).map(|_| person(&mut rng)).collect();
        let smiths = people.iter().filter(|p| p.1 == "Smith").count();
        let nguyens = people
            .iter()
            .filter(|p| p.1 == "Nguyễn" || p.1 == "Nguyen")
            .count();
        assert!(smiths > 1_000, "Smiths: {smiths}");
        assert!(nguyens > 1_000, "Nguyens: {nguyens}");
        let accented = people
            .iter()
            .filter(|p| !p.0.is_ascii() || !p.1.is_ascii())
            .count();
        assert!(
            accented > 30_000,
            "names with letters beyond ASCII: {accented}"
        );
        assert!(people.iter().any(|p| p.1.contains('\'')), "apostrophes");
        assert!(
            people.iter().any(|p| p.1.contains(' ')),
            "particles and several words"
        );
        assert!(people.iter().any(|p| p.1 == "Mueller"), "spelt out");
    }
}
