package latency

import (
	"sync"
	"time"
)

// ClosedLoop runs op back to back on each of workers goroutines for the given number of seconds
// (a closed loop: a worker starts its next op when the last one ends). It returns the latencies
// of the ops that completed before the end, and the time the run took (at least its length).
func ClosedLoop(workers int, seconds float64, op func(worker int)) ([]time.Duration, time.Duration) {
	start := time.Now()
	length := time.Duration(seconds * float64(time.Second))
	end := start.Add(length)
	perWorker := make([][]time.Duration, workers)
	var wg sync.WaitGroup
	for i := range perWorker {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			samples := make([]time.Duration, 0, 1024)
			for {
				sent := time.Now()
				if !sent.Before(end) {
					break
				}
				op(i)
				done := time.Now()
				if done.After(end) {
					break
				}
				samples = append(samples, done.Sub(sent))
			}
			perWorker[i] = samples
		}(i)
	}
	wg.Wait()
	elapsed := time.Since(start)
	if elapsed < length {
		elapsed = length
	}
	var all []time.Duration
	for _, samples := range perWorker {
		all = append(all, samples...)
	}
	return all, elapsed
}
