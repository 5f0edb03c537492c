// Sends two rows over ILP/TCP, building the sender from options.
// Usage: line_sender_cpp_example [host [port]]   (default localhost 9009)
#include "example_common.hpp"

namespace qi = questdb::ingress;

int main(int argc, char** argv)
{
    const std::string_view host = argc > 1 ? argv[1] : "localhost";
    const std::string_view port = argc > 2 ? argv[2] : "9009";
    try
    {
        // The port may be a number or a service name.
        qi::opts opts{qi::protocol::tcp, host, port};
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
