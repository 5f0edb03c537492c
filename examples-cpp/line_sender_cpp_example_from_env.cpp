// Sends two rows with a sender configured by the QDB_CLIENT_CONF environment
// variable, e.g. QDB_CLIENT_CONF='http::addr=localhost:9000;'.
// Usage: line_sender_cpp_example_from_env
#include "example_common.hpp"

namespace qi = questdb::ingress;

int main()
{
    try
    {
        auto sender = qi::line_sender::from_env();
        auto buffer = sender.new_buffer();
        example::add_trades(buffer);
        example::flush(sender, buffer, "QDB_CLIENT_CONF");
        return 0;
    }
    catch (const qi::line_sender_error& err)
    {
        return example::fail(err);
    }
}
