package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// FloodOptions drives Flood.
type FloodOptions struct {
	Addr        string // host:port, loopback
	Requests    int    // total requests, one per key index 0..Requests-1
	Connections int    // parallel keep-alive connections; 0: 4
	Batch       int    // requests pipelined per write; 0: 64
	// Build appends request i (a whole HTTP/1.1 request) to buf.
	Build func(buf []byte, i int) []byte
}

// FloodResult counts the answers.
type FloodResult struct {
	Sent        int64
	StatusCodes map[int]int64
	Elapsed     time.Duration
}

// Flood sends many distinct requests as fast as the server answers them,
// pipelining batches on keep-alive connections, which costs the client far
// less than net/http would. It is meant for filling a server with state
// (one limiter key per request), not for timing it.
func Flood(ctx context.Context, o FloodOptions) (FloodResult, error) {
	conns := o.Connections
	if conns <= 0 {
		conns = 4
	}
	batch := o.Batch
	if batch <= 0 {
		batch = 64
	}
	if o.Build == nil {
		return FloodResult{}, errors.New("flood: no request builder")
	}
	var next atomic.Int64
	var mu sync.Mutex
	codes := map[int]int64{}
	var sent atomic.Int64
	start := time.Now()
	errs := make([]error, conns)
	var wg sync.WaitGroup
	for c := range conns {
		wg.Go(func() {
			local := map[int]int64{}
			errs[c] = floodConn(ctx, o, batch, &next, &sent, local)
			mu.Lock()
			for k, v := range local {
				codes[k] += v
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	return FloodResult{Sent: sent.Load(), StatusCodes: codes, Elapsed: time.Since(start)}, errors.Join(errs...)
}

func floodConn(ctx context.Context, o FloodOptions, batch int, next, sent *atomic.Int64, codes map[int]int64) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", o.Addr)
	if err != nil {
		return fmt.Errorf("flood: %w", err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()
	br := bufio.NewReaderSize(conn, 64<<10)
	buf := make([]byte, 0, 64<<10)
	for {
		first := int(next.Add(int64(batch))) - batch
		if first >= o.Requests {
			return nil
		}
		n := min(batch, o.Requests-first)
		buf = buf[:0]
		for i := first; i < first+n; i++ {
			buf = o.Build(buf, i)
		}
		if _, err := conn.Write(buf); err != nil {
			return fmt.Errorf("flood: write: %w", err)
		}
		for range n {
			res, err := http.ReadResponse(br, nil)
			if err != nil {
				return fmt.Errorf("flood: read: %w", err)
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			codes[res.StatusCode]++
			sent.Add(1)
			if res.Close {
				return errors.New("flood: the server closed the connection")
			}
		}
	}
}

// AppendPost appends a whole HTTP/1.1 POST request.
func AppendPost(buf []byte, host, path string, header [][2]string, body []byte) []byte {
	buf = append(buf, "POST "...)
	buf = append(buf, path...)
	buf = append(buf, " HTTP/1.1\r\nHost: "...)
	buf = append(buf, host...)
	buf = append(buf, "\r\n"...)
	for _, h := range header {
		buf = append(append(append(append(buf, h[0]...), ": "...), h[1]...), "\r\n"...)
	}
	buf = append(buf, "Content-Length: "...)
	buf = strconv.AppendInt(buf, int64(len(body)), 10)
	buf = append(buf, "\r\n\r\n"...)
	return append(buf, body...)
}
