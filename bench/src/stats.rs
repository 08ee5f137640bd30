//! Latency bookkeeping: nearest-rank percentiles over measured durations.

use std::time::Duration;

/// Percentiles of a set of durations.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    sorted: Vec<Duration>,
}

impl Summary {
    pub fn new(mut samples: Vec<Duration>) -> Self {
        samples.sort();
        Self { sorted: samples }
    }

    pub fn len(&self) -> usize {
        self.sorted.len()
    }

    /// The nearest-rank `p`-quantile (`0.0 < p <= 1.0`): the smallest sample
    /// with at least `p` of the samples at or below it. `None` when empty.
    pub fn quantile(&self, p: f64) -> Option<Duration> {
        let n = self.sorted.len();
        if n == 0 {
            return None;
        }
        let rank = (n as f64 * p).ceil() as usize;
        Some(self.sorted[rank.clamp(1, n) - 1])
    }

    /// The quantile in milliseconds (NaN when empty), for printing.
    pub fn ms(&self, p: f64) -> f64 {
        self.quantile(p)
            .map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
    }

    /// `p50 … ms, p95 … ms, max … ms (n = …)`.
    pub fn line(&self) -> String {
        format!(
            "p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms (n = {})",
            self.ms(0.50),
            self.ms(0.95),
            self.ms(1.0),
            self.len()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: &[u64]) -> Vec<Duration> {
        v.iter().map(|&m| Duration::from_millis(m)).collect()
    }

    #[test]
    fn nearest_rank_percentiles() {
        // 1..=20 ms, shuffled: p50 is the 10th, p95 the 19th, max the 20th.
        let mut v: Vec<u64> = (1..=20).collect();
        v.reverse();
        v.swap(3, 11);
        let s = Summary::new(ms(&v));
        assert_eq!(s.len(), 20);
        assert_eq!(s.quantile(0.50), Some(Duration::from_millis(10)));
        assert_eq!(s.quantile(0.95), Some(Duration::from_millis(19)));
        assert_eq!(s.quantile(1.0), Some(Duration::from_millis(20)));
        assert_eq!(s.quantile(0.0), Some(Duration::from_millis(1)));
        // 2,500 deliveries: p95 is the 2,375th.
        let s = Summary::new(ms(&(1..=2500).collect::<Vec<_>>()));
        assert_eq!(s.quantile(0.95), Some(Duration::from_millis(2375)));
        let one = Summary::new(ms(&[7]));
        assert_eq!(one.quantile(0.5), one.quantile(0.99));
        assert_eq!(Summary::new(Vec::new()).quantile(0.5), None);
        assert!(Summary::new(Vec::new()).ms(0.5).is_nan());
    }
}
