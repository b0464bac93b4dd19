package load

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Interactive reports whether f is a terminal outside CI: only then is a
// live progress line worth printing.
func Interactive(f *os.File) bool {
	if os.Getenv("CI") != "" {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// progress keeps one line on a terminal up to date during an attack:
// elapsed time, achieved rate and responses by status class.
type progress struct {
	w        io.Writer
	name     string
	duration time.Duration
	start    time.Time
	counts   [6]atomic.Int64 // transport errors, 2xx, 3xx, 429, other 4xx, 5xx
	done     chan struct{}
	wg       sync.WaitGroup
}

const progressEvery = 250 * time.Millisecond

// startProgress returns nil, a no-op progress, when w is nil.
func startProgress(w io.Writer, name string, duration time.Duration) *progress {
	if w == nil {
		return nil
	}
	p := &progress{w: w, name: name, duration: duration, start: time.Now(), done: make(chan struct{})}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		tick := time.NewTicker(progressEvery)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				p.print("\r")
			case <-p.done:
				p.print("\r")
				fmt.Fprintln(p.w)
				return
			}
		}
	}()
	return p
}

func (p *progress) add(code int) {
	if p == nil {
		return
	}
	i := 0
	switch {
	case code == 429:
		i = 3
	case code >= 500:
		i = 5
	case code >= 400:
		i = 4
	case code >= 300:
		i = 2
	case code >= 200:
		i = 1
	}
	p.counts[i].Add(1)
}

func (p *progress) print(prefix string) {
	elapsed := time.Since(p.start)
	var total int64
	for i := range p.counts {
		total += p.counts[i].Load()
	}
	rate := 0.0
	if s := elapsed.Seconds(); s > 0 {
		rate = float64(total) / s
	}
	fmt.Fprintf(p.w, "%s%-28s %5.1fs/%.0fs %7.1f req/s  2xx %-6d 429 %-6d 4xx %-4d 5xx %-4d err %-4d\x1b[K",
		prefix, p.name, elapsed.Seconds(), p.duration.Seconds(), rate,
		p.counts[1].Load(), p.counts[3].Load(), p.counts[4].Load(), p.counts[5].Load(), p.counts[0].Load())
}

func (p *progress) stop() {
	if p == nil {
		return
	}
	close(p.done)
	p.wg.Wait()
}
