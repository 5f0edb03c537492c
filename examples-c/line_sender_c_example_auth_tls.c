/* Sends two rows over ILP/TCP with TLS (tcps) and ECDSA authentication.
 * Usage: line_sender_c_example_auth_tls [host [port [ca_path]]]
 *        (default localhost 9009; without ca_path the server certificate is
 *        checked against the Mozilla and operating system root stores)
 * The keys below are the sample test credentials of QuestDB's documentation;
 * a real server needs your own (kid, d, x, y), never compiled into code. */
#include "example_common.h"

#include <stdlib.h>

static bool utf8(line_sender_utf8* out, const char* text, line_sender_error** err)
{
    return line_sender_utf8_init(out, strlen(text), text, err);
}

int main(int argc, char** argv)
{
    const char* host = argc > 1 ? argv[1] : "localhost";
    uint16_t port = (uint16_t)(argc > 2 ? atoi(argv[2]) : 9009);
    const char* ca_path = argc > 3 ? argv[3] : NULL;
    line_sender_error* err = NULL;
    line_sender_utf8 host_utf8 = {0, NULL};
    line_sender_utf8 ca_utf8 = {0, NULL};
    line_sender_utf8 key_id = {0, NULL};
    line_sender_utf8 d = {0, NULL};
    line_sender_utf8 x = {0, NULL};
    line_sender_utf8 y = {0, NULL};
    if (!utf8(&host_utf8, host, &err) ||
        (ca_path && !utf8(&ca_utf8, ca_path, &err)) ||
        !utf8(&key_id, "admin", &err) ||
        !utf8(&d, "5UjEMuA0Pj5pjK8a-fa24dyIf-Es5mYny3oE_Wmus48", &err) ||
        !utf8(&x, "fLKYEaoEb9lrn3nkwLDA-M_xnuFOdSt9y0Z7_vWSHLU", &err) ||
        !utf8(&y, "Dt5tbS1dEDMSYfym3fgMv0B99szno-dFc1rYF9t0aac", &err))
        return example_fail("bad argument", err);

    /* tcps: TLS first, then the authentication challenge inside it. The
     * certificate must name `host`. */
    line_sender_opts* opts = line_sender_opts_new(line_sender_protocol_tcps, host_utf8, port);
    if ((ca_path && !line_sender_opts_tls_roots(opts, ca_utf8, &err)) ||
        !line_sender_opts_username(opts, key_id, &err) ||
        !line_sender_opts_token(opts, d, &err) ||
        !line_sender_opts_token_x(opts, x, &err) ||
        !line_sender_opts_token_y(opts, y, &err))
    {
        line_sender_opts_free(opts);
        return example_fail("bad TLS or authentication settings", err);
    }
    line_sender* sender = line_sender_build(opts, &err);
    line_sender_opts_free(opts);
    if (!sender)
        return example_fail("could not connect", err);

    return example_send_trades(sender, host);
}
