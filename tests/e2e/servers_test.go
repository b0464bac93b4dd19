package e2e

import (
	"bufio"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// rawServer answers every connection with serve, on 127.0.0.1, until the
// test ends; it returns the server's root URL. Each connection is closed
// when the test ends, so a handler that hangs ends too.
func rawServer(t *testing.T, serve func(conn net.Conn, done <-chan struct{})) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conn.Close()
				go func() { <-done; conn.Close() }()
				serve(conn, done)
			}()
		}
	}()
	t.Cleanup(func() {
		close(done)
		ln.Close()
		wg.Wait()
	})
	return "http://" + ln.Addr().String()
}

// readRequest reads one request's head and body from conn, so the client
// is waiting for the answer when the server misbehaves.
func readRequest(conn net.Conn) bool {
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	req, err := http.ReadRequest(bufio.NewReader(conn))
	if err != nil {
		return false
	}
	_, _ = req.Body.Read(make([]byte, 2<<20))
	_ = conn.SetReadDeadline(time.Time{})
	return true
}

// closedPort is a loopback URL nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ln.Close()
	return url
}

// answering answers every request with status 200, contentType and body.
func answering(contentType, body string) func(conn net.Conn, done <-chan struct{}) {
	return func(conn net.Conn, _ <-chan struct{}) {
		for readRequest(conn) {
			_, _ = conn.Write([]byte("HTTP/1.1 200 OK\r\nContent-Type: " + contentType + "\r\nTrackingID: e2e\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body))
		}
	}
}

// The misbehaving servers: each answers every request the same way.
var badServers = map[string]func(conn net.Conn, done <-chan struct{}){
	"JSON null":            answering("application/json", "null"),
	"deeply nested JSON":   answering("application/json", strings.Repeat("[", 200_000)+strings.Repeat("]", 200_000)),
	"deeply nested object": answering("application/json", strings.Repeat(`{"a":`, 100_000)+"1"+strings.Repeat("}", 100_000)),
	"invalid UTF-8":        answering("application/json", "{\"orgId\":\"\xff\xfe\xfd\"}"),
	"huge number":          answering("application/json", `{"orgId":1e999999999,"companyId":-0.0000000000000000000000000000001}`),
	"no content type":      answering("", `{"orgId":"x"}`),
	"garbage content type": answering("application/json; charset=\x01;;;=", `{}`),
	// refusing accepts the connection and closes it at once.
	"refusing": func(net.Conn, <-chan struct{}) {},
	// nonJSON answers 200 application/json with an HTML page.
	"non-JSON": func(conn net.Conn, _ <-chan struct{}) {
		for readRequest(conn) {
			body := "<html><body>Service temporarily unavailable</body></html>"
			_, _ = conn.Write([]byte("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTrackingID: e2e\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body))
		}
	},
	// truncated promises 1000 bytes of JSON, sends a few and closes.
	"truncated JSON": func(conn net.Conn, _ <-chan struct{}) {
		if readRequest(conn) {
			_, _ = conn.Write([]byte("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"orgId\":\"abc\",\"tok"))
		}
	},
	// huge sends a 50 MB JSON body as fast as the client reads it.
	"50 MB body": func(conn net.Conn, _ <-chan struct{}) {
		if !readRequest(conn) {
			return
		}
		const size = 50 << 20
		_, _ = conn.Write([]byte("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + strconv.Itoa(size) + "\r\n\r\n["))
		chunk := []byte(strings.Repeat("1,", 32<<10))
		for sent := 1; sent < size-1; sent += len(chunk) {
			if _, err := conn.Write(chunk); err != nil {
				return
			}
		}
	},
	// endless sends a chunked body that never ends, as fast as it is read.
	"endless body": func(conn net.Conn, done <-chan struct{}) {
		if !readRequest(conn) {
			return
		}
		_, _ = conn.Write([]byte("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"))
		chunk := "8000\r\n" + strings.Repeat("a", 0x8000) + "\r\n"
		for {
			select {
			case <-done:
				return
			default:
			}
			if _, err := conn.Write([]byte(chunk)); err != nil {
				return
			}
		}
	},
	// headersOnly sends the status line and headers, then nothing.
	"headers then hang": func(conn net.Conn, done <-chan struct{}) {
		if readRequest(conn) {
			_, _ = conn.Write([]byte("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"))
			<-done
		}
	},
	// silent reads the request and never answers.
	"no answer at all": func(conn net.Conn, done <-chan struct{}) {
		if readRequest(conn) {
			<-done
		}
	},
	// trickle sends headers and then one byte a second.
	"slow trickle (1 byte/s)": func(conn net.Conn, done <-chan struct{}) {
		if !readRequest(conn) {
			return
		}
		_, _ = conn.Write([]byte("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"))
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			if _, err := conn.Write([]byte(" ")); err != nil {
				return
			}
		}
	},
}
