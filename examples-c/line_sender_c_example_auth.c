/* Sends two rows over ILP/TCP with ECDSA authentication: the server sends a
 * challenge that the client signs with the private key of the key id.
 * Usage: line_sender_c_example_auth [host [port]]   (default localhost 9009)
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
    line_sender_error* err = NULL;
    line_sender_utf8 host_utf8 = {0, NULL};
    line_sender_utf8 key_id = {0, NULL};
    line_sender_utf8 d = {0, NULL};
    line_sender_utf8 x = {0, NULL};
    line_sender_utf8 y = {0, NULL};
    if (!utf8(&host_utf8, host, &err) ||
        !utf8(&key_id, "admin", &err) ||
        !utf8(&d, "5UjEMuA0Pj5pjK8a-fa24dyIf-Es5mYny3oE_Wmus48", &err) ||
        !utf8(&x, "fLKYEaoEb9lrn3nkwLDA-M_xnuFOdSt9y0Z7_vWSHLU", &err) ||
        !utf8(&y, "Dt5tbS1dEDMSYfym3fgMv0B99szno-dFc1rYF9t0aac", &err))
        return example_fail("bad argument", err);

    line_sender_opts* opts = line_sender_opts_new(line_sender_protocol_tcp, host_utf8, port);
    /* username is the key id; token the private key d; token_x and token_y
     * the public key, all base64url without padding. */
    if (!line_sender_opts_username(opts, key_id, &err) ||
        !line_sender_opts_token(opts, d, &err) ||
        !line_sender_opts_token_x(opts, x, &err) ||
        !line_sender_opts_token_y(opts, y, &err))
    {
        line_sender_opts_free(opts);
        return example_fail("bad authentication settings", err);
    }
    /* Connects and authenticates. A key the server does not accept shows
     * only later: the server closes the connection and the flush fails. */
    line_sender* sender = line_sender_build(opts, &err);
    line_sender_opts_free(opts);
    if (!sender)
        return example_fail("could not connect", err);

    return example_send_trades(sender, host);
}
