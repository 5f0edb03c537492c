// Sends two rows over ILP/HTTP. The protocol version is asked from the server
// (its /settings endpoint), so the buffer comes from the sender.
// Usage: line_sender_cpp_example_http [host [port]]   (default localhost 9000)
#include "example_common.hpp"

namespace qi = questdb::ingress;

int main(int argc, char** argv)
{
    const std::string_view host = argc > 1 ? argv[1] : "localhost";
    const std::string_view port = argc > 2 ? argv[2] : "9000";
    try
    {
        qi::opts opts{qi::protocol::http, host, port};
        // HTTP retries a failed request for up to this long.
        opts.retry_timeout(2000);
        qi::line_sender sender{opts};
        auto buffer = sender.new_buffer();
        example::add_trades(buffer);
        example::flush(sender, buffer, host);
        return 0;
    }
    catch (const qi::line_sender_error& err)
    {
        return example::fail(err);
    }
}
