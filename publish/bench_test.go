package publish_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/pbipublish/pbipublish/fabric/fabrictest"
	"github.com/pbipublish/pbipublish/publish"
)

// minCallsImportNewConnection is the fewest API calls a publish of an
// Import model with a new connection can make when the service answers
// the create at once: create the connection, create the model, read its
// data sources, bind, start the refresh.
const minCallsImportNewConnection = 5

// BenchmarkPublish measures one publish end to end against the emulator
// with no injected latency (synchronous creates, data sources at once),
// and counts the API calls it makes against the minimum. The two calls
// above the minimum are deliberate: the workspace role check (so that
// nothing is created in a workspace the user cannot publish to) and the
// listing of the workspace's models (to pick a free name).
func BenchmarkPublish(b *testing.B) {
	// One page holds every model the benchmark creates in the workspace,
	// so the count does not grow with b.N.
	e := newEnv(b, &envOptions{fabric: &fabrictest.Options{Synchronous: true, PageSize: 1 << 20}})
	e.fab.ResetRequests()
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		req := e.request(b, "snowflake-prod", publish.ModeImport, basicCred)
		req.Name = fmt.Sprintf("orders %d", i)
		i++
		if _, err := e.publish(b, aliceUser, req); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	calls := len(e.fab.Requests())
	b.ReportMetric(float64(calls)/float64(i), "api-calls/op")
	b.ReportMetric(minCallsImportNewConnection, "min-api-calls/op")
}

// BenchmarkPublishWithOperation is BenchmarkPublish with the model
// created through a long-running operation that answers Running once
// (the emulator's default): the client polls exactly as often as the
// service asks (Retry-After, 10ms here) and reads the result once, so
// the minimum grows by those three calls (two polls and the result).
func BenchmarkPublishWithOperation(b *testing.B) {
	e := newEnv(b, &envOptions{fabric: &fabrictest.Options{PageSize: 1 << 20, RetryAfter: 10 * time.Millisecond}})
	e.fab.ResetRequests()
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		req := e.request(b, "snowflake-prod", publish.ModeImport, basicCred)
		req.Name = fmt.Sprintf("orders %d", i)
		i++
		if _, err := e.publish(b, aliceUser, req); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(len(e.fab.Requests()))/float64(i), "api-calls/op")
	b.ReportMetric(minCallsImportNewConnection+3, "min-api-calls/op")
}

// BenchmarkPublishConcurrent runs 200 publishes by 50 users at once and
// reports their throughput.
func BenchmarkPublishConcurrent(b *testing.B) {
	const users, publishes = 50, 200
	e := newEnv(b, &envOptions{users: users, fabric: &fabrictest.Options{Synchronous: true}})
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	round := 0
	var total time.Duration
	for b.Loop() {
		start := time.Now()
		var wg sync.WaitGroup
		errs := make(chan error, publishes)
		for i := range publishes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				user := fmt.Sprintf("u-%d", i%users+1)
				req := e.request(b, "snowflake-prod", publish.ModeImport, basicCred)
				req.Name = fmt.Sprintf("orders r%d p%d", round, i)
				j, err := e.pub.Publish(ctx, org, user, req)
				if err == nil {
					_, err = e.pub.Wait(ctx, j.ID)
				}
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				b.Fatal(err)
			}
		}
		total += time.Since(start)
		round++
	}
	b.StopTimer()
	b.ReportMetric(float64(publishes*round)/total.Seconds(), "publishes/s")
}
