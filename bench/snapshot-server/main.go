// The benchmark's stand-in for Vault: serves a snapshot archive as sys/storage/raft/snapshot does, with
// the health, seal-status and leader answers the tool asks for first.
//
// OpenBao is a Go program, and so is this: its body goes out with chunked transfer encoding in writes of
// 2048 and 63,492 bytes in turn (measured on `bao server` with raft storage), one HTTP chunk per flushed
// write, as here. A Node server framing the same way spent 2-3.5 s of CPU per GiB, on the two cores the
// tool and moto share; a real Vault runs on a machine of its own.
//
//	cd bench/snapshot-server && go run . FILE [PORT]
//
// prints "http://127.0.0.1:PORT" once it listens.
package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
)

// The sizes of OpenBao's writes, in turn.
var chunkSizes = []int{2048, 63_492}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: snapshot-server FILE [PORT]")
		os.Exit(2)
	}
	file, port := os.Args[1], "0"
	if len(os.Args) > 2 {
		port = os.Args[2]
	}
	if _, err := os.Stat(file); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	mux := http.NewServeMux()
	answer := func(path, body string) {
		mux.HandleFunc(path, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("content-type", "application/json")
			io.WriteString(w, body)
		})
	}
	answer("/v1/sys/health", `{"initialized":true,"sealed":false,"standby":false,"version":"bench","cluster_id":"bench"}`)
	answer("/v1/sys/seal-status", `{"type":"shamir","initialized":true,"sealed":false,"n":1,"t":1}`)
	answer("/v1/sys/leader", `{"is_self":true,"leader_address":""}`)
	mux.HandleFunc("/v1/sys/storage/raft/snapshot", func(w http.ResponseWriter, _ *http.Request) {
		serveFramed(w, file)
	})
	listener, err := net.Listen("tcp", "127.0.0.1:"+port)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("http://%s\n", listener.Addr())
	if err := http.Serve(listener, mux); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func serveFramed(w http.ResponseWriter, file string) {
	f, err := os.Open(file)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer f.Close()
	w.Header().Set("content-type", "application/gzip")
	w.WriteHeader(http.StatusOK)
	flusher := w.(http.Flusher)
	in := bufio.NewReaderSize(f, 1<<20)
	buf := make([]byte, chunkSizes[1])
	for turn := 0; ; turn = 1 - turn {
		n, err := io.ReadFull(in, buf[:chunkSizes[turn]])
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return // the client went away
			}
			flusher.Flush()
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return // the whole file is sent
		}
		if err != nil {
			// Cut the connection, so the client sees a broken body rather than a short one that ends well.
			fmt.Fprintln(os.Stderr, "snapshot-server:", err)
			panic(http.ErrAbortHandler)
		}
	}
}
