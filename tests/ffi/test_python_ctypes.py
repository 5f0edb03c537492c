"""FFI host test: Python loads libquestdb_client.so with ctypes, builds rows
through the C API, flushes over HTTP to a local server (stdlib http.server)
and checks what arrived, byte for byte.

Usage: python3 tests/ffi/test_python_ctypes.py path/to/libquestdb_client.so
"""

import ctypes
import http.server
import json
import struct
import sys
import threading

ERROR_SERVER_FLUSH = 9
PROTOCOL_V2 = 2


class View(ctypes.Structure):
    # line_sender_utf8, line_sender_table_name, line_sender_column_name and
    # line_sender_buffer_view share this layout.
    _fields_ = [("len", ctypes.c_size_t), ("buf", ctypes.c_char_p)]


def load(path):
    lib = ctypes.CDLL(path)
    p = ctypes.c_void_p
    perr = ctypes.POINTER(ctypes.c_void_p)
    sigs = {
        "line_sender_utf8_init": (ctypes.c_bool, [ctypes.POINTER(View), ctypes.c_size_t, ctypes.c_char_p, perr]),
        "line_sender_table_name_init": (ctypes.c_bool, [ctypes.POINTER(View), ctypes.c_size_t, ctypes.c_char_p, perr]),
        "line_sender_column_name_init": (ctypes.c_bool, [ctypes.POINTER(View), ctypes.c_size_t, ctypes.c_char_p, perr]),
        "line_sender_from_conf": (p, [View, perr]),
        "line_sender_get_protocol_version": (ctypes.c_int, [p]),
        "line_sender_buffer_new_for_sender": (p, [p]),
        "line_sender_buffer_table": (ctypes.c_bool, [p, View, perr]),
        "line_sender_buffer_symbol": (ctypes.c_bool, [p, View, View, perr]),
        "line_sender_buffer_column_f64": (ctypes.c_bool, [p, View, ctypes.c_double, perr]),
        "line_sender_buffer_column_i64": (ctypes.c_bool, [p, View, ctypes.c_int64, perr]),
        "line_sender_buffer_at_nanos": (ctypes.c_bool, [p, ctypes.c_int64, perr]),
        "line_sender_buffer_peek": (View, [p]),
        "line_sender_buffer_size": (ctypes.c_size_t, [p]),
        "line_sender_flush": (ctypes.c_bool, [p, p, perr]),
        "line_sender_buffer_free": (None, [p]),
        "line_sender_close": (None, [p]),
        "line_sender_error_get_code": (ctypes.c_int, [p]),
        "line_sender_error_msg": (ctypes.c_char_p, [p, ctypes.POINTER(ctypes.c_size_t)]),
        "line_sender_error_free": (None, [p]),
    }
    for name, (res, args) in sigs.items():
        fn = getattr(lib, name)
        fn.restype = res
        fn.argtypes = args
    return lib


class Client:
    def __init__(self, lib):
        self.lib = lib
        self.err = ctypes.c_void_p()
        self.keep = []  # the views borrow these bytes

    def view(self, init, text):
        data = text.encode()
        self.keep.append(data)
        v = View()
        assert getattr(self.lib, init)(ctypes.byref(v), len(data), data, ctypes.byref(self.err)), self.message()
        return v

    def utf8(self, text):
        return self.view("line_sender_utf8_init", text)

    def table(self, text):
        return self.view("line_sender_table_name_init", text)

    def col(self, text):
        return self.view("line_sender_column_name_init", text)

    def check(self, ok):
        assert ok, self.message()

    def message(self):
        n = ctypes.c_size_t()
        return self.lib.line_sender_error_msg(self.err, ctypes.byref(n))[: n.value].decode()

    def take_error(self):
        code = self.lib.line_sender_error_get_code(self.err)
        msg = self.message()
        self.lib.line_sender_error_free(self.err)
        self.err = ctypes.c_void_p()
        return code, msg


class Server:
    """/settings offers versions 1 and 2; /write answers from `replies`."""

    def __init__(self):
        self.bodies = []
        self.replies = []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                body = json.dumps({"config": {"line.proto.support.versions": [1, 2]}}).encode()
                self.answer(200, "application/json", body)

            def do_POST(self):
                n = int(self.headers["Content-Length"])
                owner.bodies.append(self.rfile.read(n))
                status, body = owner.replies.pop(0) if owner.replies else (204, b"")
                self.answer(status, "application/json; charset=utf-8", body)

            def answer(self, status, ctype, body):
                self.send_response(status)
                if status != 204:
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


def main():
    lib = load(sys.argv[1])
    c = Client(lib)
    server = Server()
    sender = lib.line_sender_from_conf(c.utf8(f"http::addr=127.0.0.1:{server.port};retry_timeout=0;"), ctypes.byref(c.err))
    assert sender, c.message()
    assert lib.line_sender_get_protocol_version(sender) == PROTOCOL_V2
    buf = lib.line_sender_buffer_new_for_sender(sender)
    for symbol, price, qty, ts in [("ETH-USD", 2615.54, 3, 1_700_000_000_000_000_000), ("BTC-USD", 39269.98, 7, 1_700_000_000_000_001_000)]:
        c.check(lib.line_sender_buffer_table(buf, c.table("trades"), ctypes.byref(c.err)))
        c.check(lib.line_sender_buffer_symbol(buf, c.col("symbol"), c.utf8(symbol), ctypes.byref(c.err)))
        c.check(lib.line_sender_buffer_column_f64(buf, c.col("price"), price, ctypes.byref(c.err)))
        c.check(lib.line_sender_buffer_column_i64(buf, c.col("qty"), qty, ctypes.byref(c.err)))
        c.check(lib.line_sender_buffer_at_nanos(buf, ts, ctypes.byref(c.err)))
    peek = lib.line_sender_buffer_peek(buf)
    sent = ctypes.string_at(peek.buf, peek.len)
    expected = (
        b"trades,symbol=ETH-USD price==\x10" + struct.pack("<d", 2615.54) + b",qty=3i 1700000000000000000n\n"
        b"trades,symbol=BTC-USD price==\x10" + struct.pack("<d", 39269.98) + b",qty=7i 1700000000000001000n\n"
    )
    assert sent == expected, (sent, expected)

    # A server error keeps the buffer; the retry delivers it.
    server.replies.append((400, b'{"code":"invalid","message":"bad line","line":1,"errorId":"py-1"}'))
    assert not lib.line_sender_flush(sender, buf, ctypes.byref(c.err))
    code, msg = c.take_error()
    assert code == ERROR_SERVER_FLUSH, code
    assert msg == "Could not flush buffer: bad line [id: py-1, code: invalid, line: 1]", msg
    assert lib.line_sender_buffer_size(buf) == len(expected)
    c.check(lib.line_sender_flush(sender, buf, ctypes.byref(c.err)))
    assert lib.line_sender_buffer_size(buf) == 0
    assert server.bodies == [expected, expected], server.bodies
    lib.line_sender_buffer_free(buf)
    lib.line_sender_close(sender)
    server.httpd.shutdown()
    print("python ctypes: ok (2 rows over HTTP, protocol 2, error and retry)")


if __name__ == "__main__":
    main()
