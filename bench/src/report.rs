//! Latency samples, the results table, and its terminal / Markdown / CSV renderings.

use std::fmt::Write as _;
use std::time::Duration;

/// One measured thing: a method, in a case, of a pair.
#[derive(Debug, Clone)]
pub struct Measure {
    pub pair: String,
    pub case: String,
    pub method: String,
    /// Milliseconds per operation.
    pub samples: Vec<f64>,
    /// Wall time the samples took together (for throughput): sequential runs use the sum of
    /// the samples, concurrent runs the elapsed time.
    pub wall: Duration,
    /// "3.4× vs naive ILIKE" on the first method of a pair.
    pub ratio: String,
    /// The target, and whether this run met it (printed, never asserted).
    pub target: String,
    pub note: String,
}

impl Measure {
    pub fn sequential(pair: &str, case: &str, method: &str, samples: Vec<f64>) -> Self {
        let wall = Duration::from_secs_f64(samples.iter().sum::<f64>() / 1000.0);
        Measure {
            pair: pair.into(),
            case: case.into(),
            method: method.into(),
            samples,
            wall,
            ratio: String::new(),
            target: String::new(),
            note: String::new(),
        }
    }

    pub fn concurrent(
        pair: &str,
        case: &str,
        method: &str,
        samples: Vec<f64>,
        wall: Duration,
    ) -> Self {
        Measure {
            wall,
            ..Measure::sequential(pair, case, method, samples)
        }
    }

    pub fn p(&self, pct: f64) -> f64 {
        percentile(&self.samples, pct)
    }

    pub fn throughput(&self) -> f64 {
        let s = self.wall.as_secs_f64();
        if s > 0.0 {
            self.samples.len() as f64 / s
        } else {
            0.0
        }
    }

    /// Sets `target` to the text plus whether the p95 (or p50) met `limit_ms`.
    pub fn target_p(mut self, pct: f64, limit_ms: f64, text: &str) -> Self {
        let met = self.p(pct) < limit_ms;
        self.target = format!("{text}: {}", if met { "met" } else { "NOT met" });
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = note.into();
        self
    }
}

/// Nearest-rank percentile of unsorted samples.
pub fn percentile(samples: &[f64], pct: f64) -> f64 {
    if samples.is_empty() {
        return f64::NAN;
    }
    let mut v = samples.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    let rank = ((pct / 100.0) * v.len() as f64).ceil() as usize;
    v[rank.clamp(1, v.len()) - 1]
}

/// Marks `fast` with how many times its p50 beats `slow`'s.
pub fn ratio(fast: &mut Measure, slow: &Measure) {
    let r = slow.p(50.0) / fast.p(50.0);
    fast.ratio = format!("{} vs {}", fmt_ratio(r), slow.method);
}

pub fn fmt_ratio(r: f64) -> String {
    if r >= 100.0 {
        format!("{r:.0}×")
    } else if r >= 10.0 {
        format!("{r:.1}×")
    } else {
        format!("{r:.2}×")
    }
}

pub(crate) fn ms(v: f64) -> String {
    if v.is_nan() {
        "-".into()
    } else if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

fn per_s(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

const HEADER: [&str; 11] = [
    "pair",
    "case",
    "method",
    "n",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "ops/s",
    "ratio (p50)",
    "target",
    "note",
];

fn cells(m: &Measure) -> [String; 11] {
    [
        m.pair.clone(),
        m.case.clone(),
        m.method.clone(),
        m.samples.len().to_string(),
        ms(m.p(50.0)),
        ms(m.p(95.0)),
        ms(m.p(99.0)),
        per_s(m.throughput()),
        m.ratio.clone(),
        m.target.clone(),
        m.note.clone(),
    ]
}

pub fn markdown(rows: &[Measure]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "| {} |", HEADER.join(" | "));
    let _ = writeln!(
        s,
        "|{}|",
        HEADER
            .iter()
            .enumerate()
            .map(|(i, _)| if (3..=7).contains(&i) { "---:" } else { "---" })
            .collect::<Vec<_>>()
            .join("|")
    );
    for m in rows {
        let c = cells(m).map(|c| c.replace('|', "\\|"));
        let _ = writeln!(s, "| {} |", c.join(" | "));
    }
    s
}

pub fn csv(rows: &[Measure]) -> String {
    let quote = |c: &str| {
        if c.contains([',', '"', '\n']) {
            format!("\"{}\"", c.replace('"', "\"\""))
        } else {
            c.to_owned()
        }
    };
    let mut s = String::new();
    let header = [
        "pair",
        "case",
        "method",
        "n",
        "p50_ms",
        "p95_ms",
        "p99_ms",
        "ops_per_s",
        "ratio_p50",
        "target",
        "note",
    ];
    let _ = writeln!(s, "{}", header.join(","));
    for m in rows {
        let numeric = [
            m.pair.clone(),
            m.case.clone(),
            m.method.clone(),
            m.samples.len().to_string(),
            format!("{:.3}", m.p(50.0)),
            format!("{:.3}", m.p(95.0)),
            format!("{:.3}", m.p(99.0)),
            format!("{:.1}", m.throughput()),
            m.ratio.clone(),
            m.target.clone(),
            m.note.clone(),
        ];
        let _ = writeln!(
            s,
            "{}",
            numeric
                .iter()
                .map(|c| quote(c))
                .collect::<Vec<_>>()
                .join(",")
        );
    }
    s
}

/// A plain aligned table for the terminal.
pub fn text(rows: &[Measure]) -> String {
    let all: Vec<[String; 11]> = std::iter::once(HEADER.map(String::from))
        .chain(rows.iter().map(cells))
        .collect();
    aligned(&all, |i| (3..=7).contains(&i))
}

/// Rows (the header first) as aligned columns, numbers right-aligned where `right(column)`, a
/// rule under the header.
pub(crate) fn aligned<const N: usize>(
    rows: &[[String; N]],
    right: impl Fn(usize) -> bool,
) -> String {
    let widths: Vec<usize> = (0..N)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut s = String::new();
    for (n, r) in rows.iter().enumerate() {
        let line: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let pad = " ".repeat(widths[i] - c.chars().count());
                if right(i) {
                    format!("{pad}{c}")
                } else {
                    format!("{c}{pad}")
                }
            })
            .collect();
        let _ = writeln!(s, "{}", line.join("  ").trim_end());
        if n == 0 {
            let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
            let _ = writeln!(s, "{}", rule.join("  "));
        }
    }
    s
}

/// Runs `f` at least `min` and at most `max` times, stopping after `budget` once `min` is
/// reached; returns milliseconds per call.
pub async fn sample<F, Fut, T>(
    min: usize,
    max: usize,
    budget: Duration,
    mut f: F,
) -> crate::R<Vec<f64>>
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = crate::R<T>>,
{
    let started = std::time::Instant::now();
    let mut out = Vec::new();
    for i in 0..max {
        if i >= min && started.elapsed() > budget {
            break;
        }
        let t = std::time::Instant::now();
        f(i).await?;
        out.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(out)
}
