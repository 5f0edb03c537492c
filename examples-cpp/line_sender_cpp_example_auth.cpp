// Sends two rows over ILP/TCP with ECDSA authentication: the server sends a
// challenge that the client signs with the private key of the key id.
// Usage: line_sender_cpp_example_auth [host [port]]   (default localhost 9009)
// The keys below are the sample test credentials of QuestDB's documentation;
// a real server needs your own (kid, d, x, y), never compiled into code.
#include "example_common.hpp"

namespace qi = questdb::ingress;
using namespace qi::literals;

int main(int argc, char** argv)
{
    const std::string_view host = argc > 1 ? argv[1] : "localhost";
    const std::string_view port = argc > 2 ? argv[2] : "9009";
    try
    {
        qi::opts opts{qi::protocol::tcp, host, port};
        // username is the key id, token the private key d, token_x and
        // token_y the public key: base64url without padding.
        opts.username("admin"_utf8)
            .token("5UjEMuA0Pj5pjK8a-fa24dyIf-Es5mYny3oE_Wmus48"_utf8)
            .token_x("fLKYEaoEb9lrn3nkwLDA-M_xnuFOdSt9y0Z7_vWSHLU"_utf8)
            .token_y("Dt5tbS1dEDMSYfym3fgMv0B99szno-dFc1rYF9t0aac"_utf8);
        // Connects and authenticates. A key the server rejects shows only
        // later: the server closes the connection and a flush fails.
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
