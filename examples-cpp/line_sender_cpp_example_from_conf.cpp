// Sends two rows with a sender built from a config string.
// Usage: line_sender_cpp_example_from_conf [config-string]
//        (default "tcp::addr=localhost:9009;")
#include "example_common.hpp"

namespace qi = questdb::ingress;

int main(int argc, char** argv)
{
    const std::string_view conf = argc > 1 ? argv[1] : "tcp::addr=localhost:9009;";
    try
    {
        auto sender = qi::line_sender::from_conf(conf);
        auto buffer = sender.new_buffer();
        example::add_trades(buffer);
        example::flush(sender, buffer, conf);
        return 0;
    }
    catch (const qi::line_sender_error& err)
    {
        return example::fail(err);
    }
}
