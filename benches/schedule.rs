//! Adaptive against fixed polling, simulated: 10,000 synthetic sources
//! publishing from several items an hour to one a month, replayed over a
//! month through the scheduler's own next-due code (`poll::next_due`).
//! Reports the requests sent and the delay from publication to ingest.
//!
//! `cargo bench --bench schedule` simulates 10,000 sources; pass a count
//! to choose (`cargo bench --bench schedule -- 2000`).

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use syndic::poll::adaptive::{self, Bounds};
use syndic::poll::next_due::{self, Hints, Pace};

const DAY: f64 = 86_400.0;
const MONTH: f64 = 30.0 * DAY;
const FIXED: Duration = Duration::from_secs(30 * 60);
/// The defaults of `[daemon] min_interval` and `max_interval`.
const BOUNDS: Bounds = Bounds {
    min: Duration::from_secs(15 * 60),
    max: Duration::from_secs(24 * 3600),
};
/// Items a feed document lists, so what a first poll learns from.
const LISTED: usize = 20;

/// A share of the population and its range of items per day (each
/// source's rate drawn log-uniformly within it).
struct Band {
    name: &'static str,
    share: f64,
    per_day: (f64, f64),
}

/// Most feeds are blogs and small sites; a few are news wires.
const BANDS: &[Band] = &[
    Band {
        name: "1-5 an hour",
        share: 0.05,
        per_day: (24.0, 120.0),
    },
    Band {
        name: "4-24 a day",
        share: 0.15,
        per_day: (4.0, 24.0),
    },
    Band {
        name: "3 a week-4 a day",
        share: 0.30,
        per_day: (0.5, 4.0),
    },
    Band {
        name: "weekly",
        share: 0.30,
        per_day: (1.0 / 7.0, 0.5),
    },
    Band {
        name: "monthly",
        share: 0.20,
        per_day: (1.0 / 30.0, 1.0 / 7.0),
    },
];

/// What one policy did over the month.
#[derive(Default)]
struct Tally {
    requests: u64,
    /// Seconds from publication to ingest, one per item published in the month.
    delays: Vec<u32>,
}

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(10_000);
    let epoch: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().expect("a date");
    let mut rng = StdRng::seed_from_u64(18);
    let (mut fixed, mut adaptive) = (Tally::default(), Tally::default());
    let mut bands: Vec<(Tally, Tally)> = BANDS.iter().map(|_| Default::default()).collect();
    for i in 0..n {
        let band = band_of(i, n);
        let source = Source::draw(&BANDS[band], &mut rng);
        let f = source.replay(Pace::Fixed(FIXED), epoch, &mut rng);
        let a = source.replay(
            Pace::Adaptive {
                fallback: FIXED,
                bounds: BOUNDS,
            },
            epoch,
            &mut rng,
        );
        add(&mut bands[band].0, &f);
        add(&mut bands[band].1, &a);
        add(&mut fixed, &f);
        add(&mut adaptive, &a);
    }
    println!(
        "schedule simulation: {n} sources, 30 days, Poisson publishing with a day/night swing;\n\
         fixed every {}m against adaptive within {}m..{}h",
        FIXED.as_secs() / 60,
        BOUNDS.min.as_secs() / 60,
        BOUNDS.max.as_secs() / 3600
    );
    println!(
        "{:<18} {:>8} {:>10} {:>10} {:>9} {:>9} {:>9} {:>9}",
        "band", "items", "req fixed", "req adapt", "med fix", "med adp", "p90 fix", "p90 adp"
    );
    for (band, (f, a)) in BANDS.iter().zip(bands.iter_mut()) {
        row(band.name, f, a);
    }
    row("all", &mut fixed, &mut adaptive);
    println!(
        "adaptive sends {:.1}x fewer requests",
        fixed.requests as f64 / adaptive.requests.max(1) as f64
    );
}

fn band_of(i: usize, n: usize) -> usize {
    let at = i as f64 / n as f64;
    let mut edge = 0.0;
    for (b, band) in BANDS.iter().enumerate() {
        edge += band.share;
        if at < edge {
            return b;
        }
    }
    BANDS.len() - 1
}

fn add(total: &mut Tally, one: &Tally) {
    total.requests += one.requests;
    total.delays.extend_from_slice(&one.delays);
}

fn row(name: &str, f: &mut Tally, a: &mut Tally) {
    println!(
        "{:<18} {:>8} {:>10} {:>10} {:>9} {:>9} {:>9} {:>9}",
        name,
        f.delays.len(),
        f.requests,
        a.requests,
        minutes(percentile(&mut f.delays, 0.5)),
        minutes(percentile(&mut a.delays, 0.5)),
        minutes(percentile(&mut f.delays, 0.9)),
        minutes(percentile(&mut a.delays, 0.9)),
    );
}

fn percentile(delays: &mut [u32], p: f64) -> u32 {
    if delays.is_empty() {
        return 0;
    }
    delays.sort_unstable();
    delays[((delays.len() - 1) as f64 * p) as usize]
}

fn minutes(secs: u32) -> String {
    format!("{:.1}m", f64::from(secs) / 60.0)
}

/// One synthetic source: when it publishes, in seconds from the start of
/// the month (its history before the month included, as its feed lists it).
struct Source {
    published: Vec<f64>,
}

impl Source {
    fn draw(band: &Band, rng: &mut StdRng) -> Source {
        let (lo, hi) = band.per_day;
        let per_day = (lo.ln() + rng.gen::<f64>() * (hi.ln() - lo.ln())).exp();
        let rate = per_day / DAY;
        // The hour its readers wake, so sources do not all swing together.
        let phase = rng.gen::<f64>() * DAY;
        let start = -(LISTED as f64 + 5.0) / rate - DAY;
        let end = MONTH + 2.0 * DAY;
        let mut published = Vec::new();
        let mut t = start;
        // Thinning: candidates at the peak rate, kept in proportion to the
        // rate of their hour (busiest mid-day, a fifth of it at night).
        let peak = rate * 1.6;
        loop {
            t += -rng.gen::<f64>().max(f64::MIN_POSITIVE).ln() / peak;
            if t > end {
                break;
            }
            let swing = 1.0 + 0.6 * (std::f64::consts::TAU * (t + phase) / DAY).cos();
            if rng.gen::<f64>() * 1.6 < swing {
                published.push(t);
            }
        }
        Source { published }
    }

    /// Polls the source from a random moment in its first interval to the
    /// end of the month, each time ingesting what it published since.
    fn replay(&self, pace: Pace, epoch: DateTime<Utc>, rng: &mut StdRng) -> Tally {
        let mut tally = Tally::default();
        let mut t = rng.gen::<f64>() * FIXED.as_secs_f64();
        // Items published before the month were read before it.
        let mut seen = self.published.partition_point(|&p| p <= 0.0);
        loop {
            let upto = self.published.partition_point(|&p| p <= t);
            for &p in self.published[seen..upto].iter().filter(|&&p| p < MONTH) {
                tally.delays.push((t - p) as u32);
            }
            seen = upto;
            // The poll past the month only catches its last items.
            if t >= MONTH {
                break;
            }
            tally.requests += 1;
            let now = at(epoch, t);
            let history: Vec<DateTime<Utc>> = self.published
                [upto.saturating_sub(adaptive::HISTORY)..upto]
                .iter()
                .map(|&p| at(epoch, p))
                .collect();
            let due = next_due::after_success(now, pace, &history, Hints::default(), rng);
            t = (due.at - epoch).num_milliseconds() as f64 / 1000.0;
        }
        tally
    }
}

fn at(epoch: DateTime<Utc>, secs: f64) -> DateTime<Utc> {
    epoch + TimeDelta::milliseconds((secs * 1000.0) as i64)
}
