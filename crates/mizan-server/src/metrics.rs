//! Prometheus counters: requests (by method, route, status), latencies
//! (a histogram by route), evaluations and rejections.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;

const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

/// The counters.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<String, Histogram>>,
    evaluations: AtomicU64,
    rejections: AtomicU64,
    /// Requests being handled now (the concurrency limit's slots in use).
    pub in_flight: AtomicUsize,
    /// Requests waiting for a slot now.
    pub queued: AtomicUsize,
    /// Requests shed with 503 `overloaded`.
    pub shed: AtomicU64,
    /// Reloads of the rules tree that replaced it.
    pub reloads: AtomicU64,
    /// Reloads refused (the previous tree stayed).
    pub reload_failures: AtomicU64,
}

impl Metrics {
    /// One answered request.
    pub fn request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        if let Ok(mut m) = self.requests.lock() {
            *m.entry((method.to_string(), route.to_string(), status))
                .or_default() += 1;
        }
        if let Ok(mut m) = self.latency.lock() {
            let h = m.entry(route.to_string()).or_default();
            for (c, b) in h.counts.iter_mut().zip(BUCKETS) {
                if seconds <= b {
                    *c += 1;
                }
            }
            h.sum += seconds;
            h.count += 1;
        }
    }

    /// One answer set scored (or rejected).
    pub fn evaluated(&self, rejected: bool) {
        self.evaluations.fetch_add(1, Ordering::Relaxed);
        if rejected {
            self.rejections.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The Prometheus text.
    pub fn render(&self) -> String {
        let mut o = String::new();
        let _ = writeln!(
            o,
            "# HELP mizan_requests_total HTTP requests answered.\n# TYPE mizan_requests_total counter"
        );
        if let Ok(m) = self.requests.lock() {
            for ((method, route, status), n) in m.iter() {
                let _ = writeln!(
                    o,
                    "mizan_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}"
                );
            }
        }
        let _ = writeln!(o, "# HELP mizan_request_duration_seconds Time to answer a request.\n# TYPE mizan_request_duration_seconds histogram");
        if let Ok(m) = self.latency.lock() {
            for (route, h) in m.iter() {
                for (c, b) in h.counts.iter().zip(BUCKETS) {
                    let _ = writeln!(
                        o,
                        "mizan_request_duration_seconds_bucket{{route=\"{route}\",le=\"{b}\"}} {c}"
                    );
                }
                let _ = writeln!(
                    o,
                    "mizan_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                    h.count
                );
                let _ = writeln!(
                    o,
                    "mizan_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                    h.sum
                );
                let _ = writeln!(
                    o,
                    "mizan_request_duration_seconds_count{{route=\"{route}\"}} {}",
                    h.count
                );
            }
        }
        let _ = writeln!(o, "# HELP mizan_evaluations_total Answer sets scored (stored or not).\n# TYPE mizan_evaluations_total counter");
        let _ = writeln!(
            o,
            "mizan_evaluations_total {}",
            self.evaluations.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            o,
            "# HELP mizan_rejections_total Answer sets rejected.\n# TYPE mizan_rejections_total counter"
        );
        let _ = writeln!(
            o,
            "mizan_rejections_total {}",
            self.rejections.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            o,
            "# HELP mizan_requests_in_flight Requests being handled now.\n# TYPE mizan_requests_in_flight gauge\nmizan_requests_in_flight {}",
            self.in_flight.load(Ordering::SeqCst)
        );
        let _ = writeln!(
            o,
            "# HELP mizan_requests_queued Requests waiting for a slot (--max-concurrency).\n# TYPE mizan_requests_queued gauge\nmizan_requests_queued {}",
            self.queued.load(Ordering::SeqCst)
        );
        let _ = writeln!(
            o,
            "# HELP mizan_requests_shed_total Requests answered 503 overloaded (queue full, or no slot within --timeout).\n# TYPE mizan_requests_shed_total counter\nmizan_requests_shed_total {}",
            self.shed.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            o,
            "# HELP mizan_rules_reloads_total Reloads of the rules tree (SIGHUP or a change): replaced, or refused and the previous tree kept.\n# TYPE mizan_rules_reloads_total counter\nmizan_rules_reloads_total{{result=\"ok\"}} {}\nmizan_rules_reloads_total{{result=\"failed\"}} {}",
            self.reloads.load(Ordering::SeqCst),
            self.reload_failures.load(Ordering::SeqCst)
        );
        o
    }
}
