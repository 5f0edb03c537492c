/* Sends two rows over ILP/HTTPS, trusting only the certificate authorities
 * in a PEM file (for a server whose certificate a private CA signed).
 * Usage: line_sender_c_example_tls_ca [host [port [ca_path]]]
 *        (default localhost 9000 ca.pem) */
#include "example_common.h"

#include <stdlib.h>

int main(int argc, char** argv)
{
    const char* host = argc > 1 ? argv[1] : "localhost";
    uint16_t port = (uint16_t)(argc > 2 ? atoi(argv[2]) : 9000);
    const char* ca_path = argc > 3 ? argv[3] : "ca.pem";
    line_sender_error* err = NULL;
    line_sender_utf8 host_utf8 = {0, NULL};
    line_sender_utf8 ca_utf8 = {0, NULL};
    if (!line_sender_utf8_init(&host_utf8, strlen(host), host, &err) ||
        !line_sender_utf8_init(&ca_utf8, strlen(ca_path), ca_path, &err))
        return example_fail("bad argument", err);

    line_sender_opts* opts = line_sender_opts_new(line_sender_protocol_https, host_utf8, port);
    /* tls_roots reads the file now (so a wrong path fails here) and implies
     * tls_ca = line_sender_ca_pem_file: no other roots are trusted. */
    if (!line_sender_opts_tls_roots(opts, ca_utf8, &err))
    {
        line_sender_opts_free(opts);
        return example_fail(ca_path, err);
    }
    /* Asks the server's /settings for the protocol version, over TLS. */
    line_sender* sender = line_sender_build(opts, &err);
    line_sender_opts_free(opts);
    if (!sender)
        return example_fail("could not connect", err);

    return example_send_trades(sender, host);
}
