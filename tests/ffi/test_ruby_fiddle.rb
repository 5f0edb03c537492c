# FFI host test: Ruby loads libquestdb_client.so with Fiddle (standard
# library), builds rows through the C API, flushes over HTTP to a local
# server (a TCPServer speaking just enough HTTP/1.1) and checks the bytes.
#
# Usage: ruby tests/ffi/test_ruby_fiddle.rb path/to/libquestdb_client.so

require "fiddle"
require "fiddle/import"
require "socket"

module Qdb
  extend Fiddle::Importer
  dlload ARGV.fetch(0)
    extern "size_t line_sender_buffer_size(void*)"
  extern "void line_sender_buffer_free(void*)"
  extern "void line_sender_close(void*)"
  extern "char* line_sender_error_msg(void*, size_t*)"
  extern "void line_sender_error_free(void*)"
  extern "int line_sender_get_protocol_version(void*)"
  # C `bool` is one byte: read it as a char (Ruby 3.1 Fiddle has no bool).
  extern "char line_sender_flush(void*, void*, void**)"
end

# Functions taking views by value: Fiddle passes them as two words
# (len, buf), which is how the x86-64 and AArch64 C ABIs pass a 16-byte
# struct of two integer fields.
def fn(name, args, ret)
  Fiddle::Function.new(Qdb.handler[name], args, ret)
end
T = Fiddle
FROM_CONF = fn("line_sender_from_conf", [T::TYPE_SIZE_T, T::TYPE_VOIDP, T::TYPE_VOIDP], T::TYPE_VOIDP)
NEW_FOR_SENDER = fn("line_sender_buffer_new_for_sender", [T::TYPE_VOIDP], T::TYPE_VOIDP)
TABLE = fn("line_sender_buffer_table", [T::TYPE_VOIDP, T::TYPE_SIZE_T, T::TYPE_VOIDP, T::TYPE_VOIDP], T::TYPE_CHAR)
SYMBOL = fn("line_sender_buffer_symbol",
            [T::TYPE_VOIDP, T::TYPE_SIZE_T, T::TYPE_VOIDP, T::TYPE_SIZE_T, T::TYPE_VOIDP, T::TYPE_VOIDP], T::TYPE_CHAR)
I64 = fn("line_sender_buffer_column_i64", [T::TYPE_VOIDP, T::TYPE_SIZE_T, T::TYPE_VOIDP, T::TYPE_INT64_T, T::TYPE_VOIDP], T::TYPE_CHAR)
AT = fn("line_sender_buffer_at_nanos", [T::TYPE_VOIDP, T::TYPE_INT64_T, T::TYPE_VOIDP], T::TYPE_CHAR)
PEEK_LEN = Qdb.method(:line_sender_buffer_size)

$err = Fiddle::Pointer.malloc(Fiddle::SIZEOF_VOIDP)

def message
  e = $err.ptr
  len = Fiddle::Pointer.malloc(Fiddle::SIZEOF_SIZE_T)
  s = Qdb.line_sender_error_msg(e, len)
  s.to_s(len[0, Fiddle::SIZEOF_SIZE_T].unpack1("J"))
end

def check(ok)
  raise "C API call failed: #{message}" unless ok == 1
end

$keep = []
def bytes(text)
  s = Fiddle::Pointer[text]
  $keep << s
  s
end

server = TCPServer.new("127.0.0.1", 0)
port = server.addr[1]
bodies = []
serving = Thread.new do
  conn = server.accept
  loop do
    head = +""
    while (line = conn.gets)
      head << line
      break if line == "\r\n"
    end
    break if line.nil?
    if head.start_with?("GET /settings")
      conn.write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
      next
    end
    len = head[/content-length: *(\d+)/i, 1].to_i
    bodies << conn.read(len)
    conn.write("HTTP/1.1 204 No Content\r\n\r\n")
  end
  conn.close
end

conf = "http::addr=127.0.0.1:#{port};"
sender = FROM_CONF.call(conf.bytesize, bytes(conf), $err)
raise "from_conf: #{message}" if sender.null?
raise "expected protocol 1 after a /settings 404" unless Qdb.line_sender_get_protocol_version(sender) == 1
buf = NEW_FOR_SENDER.call(sender)
[["a", 1, 10], ["b", -2, 20]].each do |host, n, ts|
  check TABLE.call(buf, 3, bytes("cpu"), $err)
  check SYMBOL.call(buf, 4, bytes("host"), host.bytesize, bytes(host), $err)
  check I64.call(buf, 1, bytes("n"), n, $err)
  check AT.call(buf, ts, $err)
end
expected = "cpu,host=a n=1i 10\ncpu,host=b n=-2i 20\n"
raise "buffer size #{PEEK_LEN.call(buf)}" unless PEEK_LEN.call(buf) == expected.bytesize
check Qdb.line_sender_flush(sender, buf, $err)
raise "flush must clear the buffer" unless PEEK_LEN.call(buf).zero?
Qdb.line_sender_buffer_free(buf)
Qdb.line_sender_close(sender)
serving.join(5)
raise "received #{bodies.inspect}" unless bodies == [expected]

# Errors come back with their message.
bad = "nope::addr=x;"
s = FROM_CONF.call(bad.bytesize, bytes(bad), $err)
raise "a bad config string was accepted" unless s.null?
raise "message: #{message}" unless message.include?("nope")
Qdb.line_sender_error_free($err.ptr)
puts "ruby fiddle: ok (2 rows over HTTP, protocol 1, config error message)"
