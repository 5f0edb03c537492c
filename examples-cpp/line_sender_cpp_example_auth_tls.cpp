// Sends two rows over ILP/TCP with TLS (tcps) and ECDSA authentication.
// Usage: line_sender_cpp_example_auth_tls [host [port [ca_path]]]
//        (default localhost 9009; without ca_path the server certificate is
//        checked against the Mozilla and operating system root stores)
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
        // TLS first, then the authentication challenge inside it. The
        // certificate must name `host`.
        qi::opts opts{qi::protocol::tcps, host, port};
        if (argc > 3)
            opts.tls_roots(std::string_view{argv[3]});
        opts.username("admin"_utf8)
            .token("5UjEMuA0Pj5pjK8a-fa24dyIf-Es5mYny3oE_Wmus48"_utf8)
            .token_x("fLKYEaoEb9lrn3nkwLDA-M_xnuFOdSt9y0Z7_vWSHLU"_utf8)
            .token_y("Dt5tbS1dEDMSYfym3fgMv0B99szno-dFc1rYF9t0aac"_utf8);
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
