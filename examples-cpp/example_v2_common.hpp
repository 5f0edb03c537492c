// Shared by the C++ array and decimal examples: an HTTP sender with an
// explicit protocol version (arrays need 2, decimals 3).
#pragma once

#include "example_common.hpp"

namespace example
{
// ILP/HTTP to `[host [port]]` from the command line (default localhost
// 9000) with protocol `version`; `where` gets the host.
inline qi::line_sender http_sender(
    int argc, char** argv, qi::protocol_version version, std::string_view& where)
{
    const std::string_view host = argc > 1 ? argv[1] : "localhost";
    const std::string_view port = argc > 2 ? argv[2] : "9000";
    where = host;
    qi::opts opts{qi::protocol::http, host, port};
    opts.protocol_version(version);
    return qi::line_sender{opts};
}
} // namespace example
