// Package latency holds what the closed-loop load generators share: the percentiles of the
// latencies they record and the line they print them on.
package latency

import (
	"sort"
	"time"
)

// Summary sorts samples in place and returns the p50 and p99 in microseconds.
func Summary(samples []time.Duration) (p50us, p99us float64) {
	sort.Slice(samples, func(a, b int) bool { return samples[a] < samples[b] })
	return micros(percentile(samples, 0.50)), micros(percentile(samples, 0.99))
}

func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[int(q*float64(len(sorted)-1))]
}

func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
