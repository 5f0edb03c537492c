// Sends two rows over ILP/HTTPS, trusting only the certificate authorities in
// a PEM file (for a server whose certificate a private CA signed).
// Usage: line_sender_cpp_example_tls_ca [host [port [ca_path]]]
//        (default localhost 9000 ca.pem)
#include "example_common.hpp"

namespace qi = questdb::ingress;

int main(int argc, char** argv)
{
    const std::string_view host = argc > 1 ? argv[1] : "localhost";
    const std::string_view port = argc > 2 ? argv[2] : "9000";
    const std::string_view ca_path = argc > 3 ? argv[3] : "ca.pem";
    try
    {
        qi::opts opts{qi::protocol::https, host, port};
        // Reads the file now (a wrong path fails here) and trusts only it.
        opts.tls_roots(ca_path);
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
