// FFI host test: Go calls the C API through cgo, builds rows, flushes over
// HTTP to a local httptest server and checks the bytes that arrived.
//
// Run by tests/ffi/run.sh, which sets CGO_CFLAGS (include dir) and
// CGO_LDFLAGS (library dir, rpath).
package main

/*
#cgo LDFLAGS: -lquestdb_client
#include <stdlib.h>
#include <questdb/ingress/line_sender.h>
*/
import "C"

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"unsafe"
)

var keep []unsafe.Pointer

func cstr(s string) (C.size_t, *C.char) {
	p := C.CString(s)
	keep = append(keep, unsafe.Pointer(p))
	return C.size_t(len(s)), p
}

func message(err *C.line_sender_error) string {
	var n C.size_t
	m := C.line_sender_error_msg(err, &n)
	return C.GoStringN(m, C.int(n))
}

func must(ok C.bool, err *C.line_sender_error) {
	if !ok {
		fail("C API call failed: " + message(err))
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, msg)
	os.Exit(1)
}

func utf8(s string) C.line_sender_utf8 {
	var v C.line_sender_utf8
	var err *C.line_sender_error
	n, p := cstr(s)
	must(C.line_sender_utf8_init(&v, n, p, &err), err)
	return v
}

func table(s string) C.line_sender_table_name {
	var v C.line_sender_table_name
	var err *C.line_sender_error
	n, p := cstr(s)
	must(C.line_sender_table_name_init(&v, n, p, &err), err)
	return v
}

func column(s string) C.line_sender_column_name {
	var v C.line_sender_column_name
	var err *C.line_sender_error
	n, p := cstr(s)
	must(C.line_sender_column_name_init(&v, n, p, &err), err)
	return v
}

func main() {
	var mu sync.Mutex
	var bodies []string
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/settings" {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"config":{"line.proto.support.versions":[1,2,3],"cairo.max.file.name.length":64}}`)
			return
		}
		if r.URL.Path != "/write" || r.URL.RawQuery != "precision=n" {
			w.WriteHeader(404)
			return
		}
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		mu.Unlock()
		w.WriteHeader(204)
	}))
	defer server.Close()

	var err *C.line_sender_error
	conf := "http::addr=" + server.Listener.Addr().String() + ";"
	sender := C.line_sender_from_conf(utf8(conf), &err)
	if sender == nil {
		fail("from_conf: " + message(err))
	}
	if v := C.line_sender_get_protocol_version(sender); v != C.line_sender_protocol_version_3 {
		fail(fmt.Sprintf("expected protocol 3 from /settings, got %d", v))
	}
	if n := C.line_sender_get_max_name_len(sender); n != 64 {
		fail(fmt.Sprintf("expected max name length 64 from /settings, got %d", n))
	}
	buf := C.line_sender_buffer_new_for_sender(sender)
	for i, side := range []string{"buy", "sell"} {
		must(C.line_sender_buffer_table(buf, table("trades"), &err), err)
		must(C.line_sender_buffer_symbol(buf, column("side"), utf8(side), &err), err)
		must(C.line_sender_buffer_column_i64(buf, column("qty"), C.int64_t(i+1), &err), err)
		must(C.line_sender_buffer_column_str(buf, column("note"), utf8("go \"cgo\""), &err), err)
		must(C.line_sender_buffer_at_nanos(buf, C.int64_t(1000*(i+1)), &err), err)
	}
	view := C.line_sender_buffer_peek(buf)
	sent := C.GoStringN((*C.char)(unsafe.Pointer(view.buf)), C.int(view.len))
	expected := "trades,side=buy qty=1i,note=\"go \\\"cgo\\\"\" 1000n\n" +
		"trades,side=sell qty=2i,note=\"go \\\"cgo\\\"\" 2000n\n"
	if sent != expected {
		fail(fmt.Sprintf("buffer holds %q, expected %q", sent, expected))
	}
	must(C.line_sender_flush(sender, buf, &err), err)
	C.line_sender_buffer_free(buf)
	C.line_sender_close(sender)
	mu.Lock()
	defer mu.Unlock()
	if len(bodies) != 1 || bodies[0] != expected {
		fail(fmt.Sprintf("server received %q", bodies))
	}
	for _, p := range keep {
		C.free(p)
	}
	fmt.Println("go cgo: ok (2 rows over HTTP, protocol 3 and name length from /settings)")
}
