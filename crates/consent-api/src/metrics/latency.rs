//! A latency histogram that is observed without a lock: an atomic per
//! bucket and the sum in nanoseconds. The hot paths observe one per
//! request; a lock there (as in `prometheus_client`'s own histogram) is
//! contended between the server's threads, and a thread preempted while
//! holding it stalls the others.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use prometheus_client::encoding::{EncodeMetric, MetricEncoder, NoLabelSet};
use prometheus_client::metrics::{MetricType, TypedMetric};

/// Upper bounds in seconds: fine around the 50 ms decision target, up to
/// the change feed's 30 s long-polls (and `+Inf` after them).
pub const BOUNDS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// Shared cells: clones observe into the same histogram.
#[derive(Clone, Debug, Default)]
pub struct LatencyHistogram(Arc<Cells>);

#[derive(Debug, Default)]
struct Cells {
    /// Observations per bucket (not cumulative); the last one is `+Inf`.
    buckets: [AtomicU64; BOUNDS.len() + 1],
    sum_nanos: AtomicU64,
}

impl LatencyHistogram {
    pub fn observe(&self, seconds: f64) {
        let bucket = BOUNDS
            .iter()
            .position(|bound| seconds <= *bound)
            .unwrap_or(BOUNDS.len());
        self.0.buckets[bucket].fetch_add(1, Ordering::Relaxed);
        let nanos = (seconds.max(0.0) * 1e9) as u64;
        self.0.sum_nanos.fetch_add(nanos, Ordering::Relaxed);
    }
}

impl TypedMetric for LatencyHistogram {
    const TYPE: MetricType = MetricType::Histogram;
}

impl EncodeMetric for LatencyHistogram {
    fn encode(&self, mut encoder: MetricEncoder) -> Result<(), std::fmt::Error> {
        let buckets: Vec<(f64, u64)> = BOUNDS
            .iter()
            .copied()
            .chain([f64::INFINITY])
            .zip(&self.0.buckets)
            .map(|(bound, count)| (bound, count.load(Ordering::Relaxed)))
            .collect();
        // The count from the buckets, so that `_count` equals the `+Inf` bucket.
        let count = buckets.iter().map(|(_, n)| n).sum();
        let sum = self.0.sum_nanos.load(Ordering::Relaxed) as f64 / 1e9;
        encoder.encode_histogram::<NoLabelSet>(sum, count, &buckets, None)
    }

    fn metric_type(&self) -> MetricType {
        Self::TYPE
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prometheus_client::metrics::family::Family;
    use prometheus_client::registry::Registry;

    // Guards the exported shape: cumulative buckets up to +Inf, a count that
    // matches it, and the sum in seconds.
    #[test]
    fn observations_land_in_their_buckets() {
        let family = Family::<Vec<(String, String)>, LatencyHistogram>::default();
        let histogram = family.get_or_create_owned(&vec![("route".into(), "r".into())]);
        for seconds in [0.0005, 0.001, 0.003, 0.04, 45.0] {
            histogram.observe(seconds);
        }
        let mut registry = Registry::default();
        registry.register("latency", "test", family);
        let mut text = String::new();
        prometheus_client::encoding::prometheus_text::encode(&mut text, &registry).unwrap();
        for line in [
            "latency_bucket{route=\"r\",le=\"0.001\"} 2",
            "latency_bucket{route=\"r\",le=\"0.005\"} 3",
            "latency_bucket{route=\"r\",le=\"0.05\"} 4",
            "latency_bucket{route=\"r\",le=\"30\"} 4",
            "latency_bucket{route=\"r\",le=\"+Inf\"} 5",
            "latency_count{route=\"r\"} 5",
        ] {
            assert!(text.contains(line), "{line} in\n{text}");
        }
        let sum: f64 = text
            .lines()
            .find_map(|l| l.strip_prefix("latency_sum{route=\"r\"} "))
            .unwrap()
            .parse()
            .unwrap();
        assert!((sum - 45.0445).abs() < 1e-6, "{sum}");
    }
}
