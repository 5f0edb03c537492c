/* Byte-exact tests of the buffer C API (PROTOCOL.md sections 1-2). */
#include "check.h"

/* ---------------------------------------------------------------- */

static void test_errors_and_names(void)
{
    line_sender_utf8 u;
    line_sender_table_name t;
    line_sender_column_name c;
    size_t len = 99;
    const char* m;
    static const char bad_utf8[] = "ab\xff";
    static const char bad_utf8_2[] = "\xc3\x28";

    /* Errors: NULL handling. */
    CHECK(line_sender_error_get_code(NULL) == line_sender_error_invalid_api_call);
    m = line_sender_error_msg(NULL, &len);
    CHECK(m != NULL);
    line_sender_error_free(NULL);

    /* utf8 */
    OK(line_sender_utf8_init(&u, 5, "hello", &err));
    CHECK(u.len == 5 && memcmp(u.buf, "hello", 5) == 0);
    OK(line_sender_utf8_init(&u, 0, "", &err));
    CHECK(u.len == 0);
    OK(line_sender_utf8_init(&u, 0, NULL, &err));
    CHECK(u.len == 0);
    EXPECT_ERR(line_sender_utf8_init(&u, 4, "\xc3\xa9t\xc3", &err),
               line_sender_error_invalid_utf8, ""); /* truncated sequence */
    u.len = 42; u.buf = "x";
    EXPECT_ERR(line_sender_utf8_init(&u, 3, bad_utf8, &err),
               line_sender_error_invalid_utf8, "");
    CHECK(u.len == 42 && u.buf[0] == 'x'); /* untouched on failure */
    EXPECT_ERR(line_sender_utf8_init(&u, 2, bad_utf8_2, &err),
               line_sender_error_invalid_utf8, "");
    EXPECT_ERR(line_sender_utf8_init(&u, 3, NULL, &err),
               line_sender_error_invalid_utf8, "NULL");
    EXPECT_ERR(line_sender_utf8_init(NULL, 5, "hello", &err),
               line_sender_error_invalid_api_call, "NULL");
    CHECK(!line_sender_utf8_init(&u, 3, bad_utf8, NULL)); /* no crash */

    /* error_msg with NULL len_out, and the length is reported. */
    err = NULL;
    CHECK(!line_sender_utf8_init(&u, 3, bad_utf8, &err));
    CHECK(line_sender_error_msg(err, NULL) != NULL);
    len = 0;
    m = line_sender_error_msg(err, &len);
    CHECK(m != NULL && len > 0);
    line_sender_error_free(err);

    /* table names */
    OK(line_sender_table_name_init(&t, 6, "trades", &err));
    CHECK(t.len == 6 && memcmp(t.buf, "trades", 6) == 0);
    OK(line_sender_table_name_init(&t, 3, "a.b", &err));
    OK(line_sender_table_name_init(&t, 3, "a-b", &err));
    OK(line_sender_table_name_init(&t, 7, "caf\xc3\xa9 x", &err));
    t.len = 42; t.buf = "x";
    EXPECT_ERR(line_sender_table_name_init(&t, 0, "", &err),
               line_sender_error_invalid_name, "non-zero length");
    CHECK(t.len == 42);
    EXPECT_ERR(line_sender_table_name_init(&t, 3, "a?b", &err),
               line_sender_error_invalid_name, "a?b");
    EXPECT_ERR(line_sender_table_name_init(&t, 3, "a,b", &err),
               line_sender_error_invalid_name, "");
    EXPECT_ERR(line_sender_table_name_init(&t, 3, "a\nb", &err),
               line_sender_error_invalid_name, "");
    EXPECT_ERR(line_sender_table_name_init(&t, 2, ".a", &err),
               line_sender_error_invalid_name, "");
    EXPECT_ERR(line_sender_table_name_init(&t, 2, "a.", &err),
               line_sender_error_invalid_name, "");
    EXPECT_ERR(line_sender_table_name_init(&t, 3, "\xc3\xa9.", &err),
               line_sender_error_invalid_name, "");
    EXPECT_ERR(line_sender_table_name_init(&t, 4, "a..b", &err),
               line_sender_error_invalid_name, "");
    EXPECT_ERR(line_sender_table_name_init(&t, 3, "a\0b", &err),
               line_sender_error_invalid_name, "");
    EXPECT_ERR(line_sender_table_name_init(&t, 5, "\xef\xbb\xbf" "ab", &err),
               line_sender_error_invalid_name, "");
    EXPECT_ERR(line_sender_table_name_init(&t, 3, bad_utf8, &err),
               line_sender_error_invalid_utf8, "");
    EXPECT_ERR(line_sender_table_name_init(NULL, 1, "a", &err),
               line_sender_error_invalid_api_call, "NULL");
    CHECK(!line_sender_table_name_init(&t, 0, "", NULL));

    /* column names */
    OK(line_sender_column_name_init(&c, 5, "price", &err));
    CHECK(c.len == 5 && memcmp(c.buf, "price", 5) == 0);
    OK(line_sender_column_name_init(&c, 3, "a b", &err));
    EXPECT_ERR(line_sender_column_name_init(&c, 0, "", &err),
               line_sender_error_invalid_name, "non-zero length");
    EXPECT_ERR(line_sender_column_name_init(&c, 3, "a.b", &err),
               line_sender_error_invalid_name, "a.b");
    EXPECT_ERR(line_sender_column_name_init(&c, 3, "a-b", &err),
               line_sender_error_invalid_name, "");
    EXPECT_ERR(line_sender_column_name_init(&c, 3, "a~b", &err),
               line_sender_error_invalid_name, "");
    EXPECT_ERR(line_sender_column_name_init(&c, 3, bad_utf8, &err),
               line_sender_error_invalid_utf8, "");
    EXPECT_ERR(line_sender_column_name_init(NULL, 1, "a", &err),
               line_sender_error_invalid_api_call, "NULL");
    CHECK(!line_sender_column_name_init(&c, 3, "a.b", NULL));

    /* Literal macros with valid literals. */
    u = QDB_UTF8_LITERAL("h\xc3\xa9llo");
    CHECK(u.len == 6 && memcmp(u.buf, "h\xc3\xa9llo", 6) == 0);
    t = QDB_TABLE_NAME_LITERAL("trades");
    CHECK(t.len == 6 && memcmp(t.buf, "trades", 6) == 0);
    c = QDB_COLUMN_NAME_LITERAL("price");
    CHECK(c.len == 5 && memcmp(c.buf, "price", 5) == 0);
    u = line_sender_utf8_assert(2, "ok");
    CHECK(u.len == 2);
    t = line_sender_table_name_assert(1, "t");
    CHECK(t.len == 1);
    c = line_sender_column_name_assert(1, "c");
    CHECK(c.len == 1);
}

static void test_v1_rows(void)
{
    line_sender_buffer* b = line_sender_buffer_new(line_sender_protocol_version_1);
    CHECK(b != NULL);
    CHECK(line_sender_buffer_size(b) == 0);
    CHECK(line_sender_buffer_row_count(b) == 0);
    CHECK(line_sender_buffer_transactional(b));
    EXPECT_BYTES(b, "");

    OK(line_sender_buffer_table(b, QDB_TABLE_NAME_LITERAL("trades"), &err));
    OK(line_sender_buffer_symbol(b, QDB_COLUMN_NAME_LITERAL("symbol"),
                                 QDB_UTF8_LITERAL("ETH-USD"), &err));
    OK(line_sender_buffer_column_f64(b, QDB_COLUMN_NAME_LITERAL("price"),
                                     2615.54, &err));
    OK(line_sender_buffer_at_nanos(b, 1700000000000000000LL, &err));
    EXPECT_BYTES(b, "trades,symbol=ETH-USD price=2615.54 1700000000000000000\n");
    CHECK(line_sender_buffer_row_count(b) == 1);

    line_sender_buffer_clear(b);
    EXPECT_BYTES(b, "");
    CHECK(line_sender_buffer_row_count(b) == 0);

    /* The protocol doc's sensors example, all value types. */
    OK(line_sender_buffer_table(b, tbl("sensors"), &err));
    OK(line_sender_buffer_symbol(b, col("id"), u8("toronto1"), &err));
    OK(line_sender_buffer_column_f64(b, col("temperature"), 23.5, &err));
    OK(line_sender_buffer_column_f64(b, col("humidity"), 0.49, &err));
    OK(line_sender_buffer_column_bool(b, col("ok"), true, &err));
    OK(line_sender_buffer_column_i64(b, col("count"), 12, &err));
    OK(line_sender_buffer_column_str(b, col("note"), u8("hi"), &err));
    OK(line_sender_buffer_column_ts_micros(b, col("seen"),
                                           1700000000000000LL, &err));
    OK(line_sender_buffer_at_now(b, &err));
    EXPECT_BYTES(b, "sensors,id=toronto1 temperature=23.5,humidity=0.49,ok=t,"
                    "count=12i,note=\"hi\",seen=1700000000000000t\n");
    line_sender_buffer_clear(b);

    /* Symbol-only row with at_now. */
    OK(line_sender_buffer_table(b, tbl("metrics"), &err));
    OK(line_sender_buffer_symbol(b, col("host"), u8("a"), &err));
    OK(line_sender_buffer_at_now(b, &err));
    EXPECT_BYTES(b, "metrics,host=a\n");
    line_sender_buffer_clear(b);

    /* f64 text forms, negative ints, bool false. */
    OK(line_sender_buffer_table(b, tbl("f"), &err));
    OK(line_sender_buffer_column_f64(b, col("a"), 1.0, &err));
    OK(line_sender_buffer_column_f64(b, col("b"), 0.00044, &err));
    OK(line_sender_buffer_column_f64(b, col("c"), 1e100, &err));
    OK(line_sender_buffer_column_f64(b, col("d"), 1.5e-7, &err));
    OK(line_sender_buffer_column_f64(b, col("e"), -0.0, &err));
    OK(line_sender_buffer_column_f64(b, col("g"), 123456.0, &err));
    OK(line_sender_buffer_column_f64(b, col("h"), 1e16, &err));
    OK(line_sender_buffer_column_f64(b, col("n"), strtod("nan", NULL), &err));
    OK(line_sender_buffer_column_f64(b, col("i"), strtod("inf", NULL), &err));
    OK(line_sender_buffer_column_f64(b, col("j"), -strtod("inf", NULL), &err));
    OK(line_sender_buffer_column_i64(b, col("k"), -12, &err));
    OK(line_sender_buffer_column_i64(b, col("l"), INT64_MIN, &err));
    OK(line_sender_buffer_column_bool(b, col("m"), false, &err));
    OK(line_sender_buffer_at_micros(b, 1700000000000000LL, &err));
    EXPECT_BYTES(b, "f a=1.0,b=0.00044,c=1e100,d=1.5e-7,e=-0.0,g=123456.0,"
                    "h=1e16,n=NaN,i=Infinity,j=-Infinity,k=-12i,"
                    "l=-9223372036854775808i,m=f 1700000000000000000\n");
    line_sender_buffer_clear(b);

    /* Escaping. */
    OK(line_sender_buffer_table(b, tbl("my table=y"), &err));
    OK(line_sender_buffer_symbol(b, col("s k"), u8("v a,l=u\\e\n\r\"q"), &err));
    OK(line_sender_buffer_column_str(b, col("c=1"),
                                     u8("say \"hi\"\n\r\\ , = \t\xc3\xa9"), &err));
    OK(line_sender_buffer_at_nanos(b, 0, &err));
    EXPECT_BYTES(b, "my\\ table\\=y,s\\ k=v\\ a\\,l\\=u\\\\e\\\n\\\r\"q "
                    "c\\=1=\"say \\\"hi\\\"\\\n\\\r\\\\ , = \t\xc3\xa9\" 0\n");
    line_sender_buffer_clear(b);

    /* Timestamp columns in v1: nanos -> micros truncating toward zero;
     * negative column timestamps allowed. */
    OK(line_sender_buffer_table(b, tbl("t"), &err));
    OK(line_sender_buffer_column_ts_nanos(b, col("a"), 1234567, &err));
    OK(line_sender_buffer_column_ts_nanos(b, col("b"), -1500, &err));
    OK(line_sender_buffer_column_ts_micros(b, col("c"), -1, &err));
    OK(line_sender_buffer_at_micros(b, 5, &err));
    EXPECT_BYTES(b, "t a=1234t,b=-1t,c=-1t 5000\n");
    CHECK(line_sender_buffer_row_count(b) == 1);

    /* Negative designated timestamps and overflow: nothing written. */
    OK(line_sender_buffer_table(b, tbl("t"), &err));
    OK(line_sender_buffer_column_i64(b, col("x"), 1, &err));
    EXPECT_ERR(line_sender_buffer_at_nanos(b, -1, &err),
               line_sender_error_invalid_timestamp, "negative");
    EXPECT_ERR(line_sender_buffer_at_micros(b, -1, &err),
               line_sender_error_invalid_timestamp, "negative");
    EXPECT_ERR(line_sender_buffer_at_micros(b, INT64_MAX, &err),
               line_sender_error_invalid_timestamp, "overflows");
    EXPECT_BYTES(b, "t a=1234t,b=-1t,c=-1t 5000\nt x=1i");
    CHECK(!line_sender_buffer_at_nanos(b, -5, NULL)); /* NULL err_out */
    OK(line_sender_buffer_at_nanos(b, 7, &err));
    EXPECT_BYTES(b, "t a=1234t,b=-1t,c=-1t 5000\nt x=1i 7\n");
    CHECK(line_sender_buffer_row_count(b) == 2);

    /* v1 rejects arrays and decimals. */
    {
        uintptr_t shape[1] = {2};
        intptr_t strides[1] = {1};
        double data[2] = {1.0, 2.0};
        uint8_t dec[2] = {0x30, 0x39};
        OK(line_sender_buffer_table(b, tbl("t"), &err));
        OK(line_sender_buffer_column_i64(b, col("x"), 1, &err));
        EXPECT_ERR(line_sender_buffer_column_f64_arr_c_major(
                       b, col("a"), 1, shape, data, 2, &err),
                   line_sender_error_protocol_version_error, "v1 does not support the array");
        EXPECT_ERR(line_sender_buffer_column_f64_arr_elem_strides(
                       b, col("a"), 1, shape, strides, data, 2, &err),
                   line_sender_error_protocol_version_error, "");
        strides[0] = 8;
        EXPECT_ERR(line_sender_buffer_column_f64_arr_byte_strides(
                       b, col("a"), 1, shape, strides, data, 2, &err),
                   line_sender_error_protocol_version_error, "");
        EXPECT_ERR(line_sender_buffer_column_dec_str(b, col("d"), "1.5", 3, &err),
                   line_sender_error_protocol_version_error, "");
        EXPECT_ERR(line_sender_buffer_column_dec(b, col("d"), 2, dec, 2, &err),
                   line_sender_error_protocol_version_error, "");
        OK(line_sender_buffer_at_now(b, &err));
        EXPECT_BYTES(b, "t a=1234t,b=-1t,c=-1t 5000\nt x=1i 7\nt x=1i\n");
    }
    line_sender_buffer_free(b);
}

static void test_v2(void)
{
    line_sender_buffer* b = line_sender_buffer_new(line_sender_protocol_version_2);
    CHECK(b != NULL);
    OK(line_sender_buffer_table(b, tbl("trades"), &err));
    OK(line_sender_buffer_symbol(b, col("symbol"), u8("ETH-USD"), &err));
    OK(line_sender_buffer_column_f64(b, col("price"), 1.5, &err));
    OK(line_sender_buffer_column_f64(b, col("amount"), -2.0, &err));
    OK(line_sender_buffer_column_ts_nanos(b, col("tn"), -1500, &err));
    OK(line_sender_buffer_column_ts_micros(b, col("tm"), 17, &err));
    OK(line_sender_buffer_at_nanos(b, 1700000000000000000LL, &err));
    EXPECT_BYTES(b, "trades,symbol=ETH-USD price==\x10"
                    "\x00\x00\x00\x00\x00\x00\xf8\x3f"
                    ",amount==\x10" "\x00\x00\x00\x00\x00\x00\x00\xc0"
                    ",tn=-1500n,tm=17t 1700000000000000000n\n");
    line_sender_buffer_clear(b);

    OK(line_sender_buffer_table(b, tbl("t"), &err));
    OK(line_sender_buffer_column_i64(b, col("x"), 1, &err));
    OK(line_sender_buffer_at_micros(b, 1700000000000000LL, &err));
    OK(line_sender_buffer_table(b, tbl("t"), &err));
    OK(line_sender_buffer_column_i64(b, col("x"), 2, &err));
    EXPECT_ERR(line_sender_buffer_at_micros(b, -1, &err),
               line_sender_error_invalid_timestamp, "negative");
    OK(line_sender_buffer_at_micros(b, INT64_MAX, &err)); /* kept in micros */
    EXPECT_BYTES(b, "t x=1i 1700000000000000t\nt x=2i 9223372036854775807t\n");

    /* v2 rejects decimals. */
    OK(line_sender_buffer_table(b, tbl("t"), &err));
    EXPECT_ERR(line_sender_buffer_column_dec_str(b, col("d"), "1.5", 3, &err),
               line_sender_error_protocol_version_error, "v2 does not support the decimal");
    EXPECT_ERR(line_sender_buffer_column_dec(b, col("d"), 0, NULL, 0, &err),
               line_sender_error_protocol_version_error, "");
    line_sender_buffer_free(b);
}

#define ARR_HDR "a==\x0e\x0a"

static void test_arrays(void)
{
    static const double six[6] = {1, 2, 3, 4, 5, 6};
    uintptr_t shape[33];
    intptr_t strides[33];
    line_sender_buffer* b = line_sender_buffer_new(line_sender_protocol_version_2);
    size_t i;
    CHECK(b != NULL);
    for (i = 0; i < 33; ++i) {
        shape[i] = 1;
        strides[i] = 8;
    }

#define ROW_START()                                                          \
    do {                                                                     \
        line_sender_buffer_clear(b);                                         \
        OK(line_sender_buffer_table(b, tbl("t"), &err));                     \
    } while (0)

    /* c_major {2,3} */
    ROW_START();
    shape[0] = 2; shape[1] = 3;
    OK(line_sender_buffer_column_f64_arr_c_major(b, col("a"), 2, shape, six, 6, &err));
    OK(line_sender_buffer_at_now(b, &err));
    EXPECT_BYTES(b, "t " ARR_HDR "\x02" "\x02\x00\x00\x00" "\x03\x00\x00\x00"
                    "\x00\x00\x00\x00\x00\x00\xf0\x3f"   /* 1 */
                    "\x00\x00\x00\x00\x00\x00\x00\x40"   /* 2 */
                    "\x00\x00\x00\x00\x00\x00\x08\x40"   /* 3 */
                    "\x00\x00\x00\x00\x00\x00\x10\x40"   /* 4 */
                    "\x00\x00\x00\x00\x00\x00\x14\x40"   /* 5 */
                    "\x00\x00\x00\x00\x00\x00\x18\x40\n" /* 6 */);

    /* elem strides transpose: shape {2,3} strides {1,2} -> 1,3,5,2,4,6 */
#define TRANSPOSED                                                           \
    "t " ARR_HDR "\x02" "\x02\x00\x00\x00" "\x03\x00\x00\x00"               \
    "\x00\x00\x00\x00\x00\x00\xf0\x3f"   /* 1 */                            \
    "\x00\x00\x00\x00\x00\x00\x08\x40"   /* 3 */                            \
    "\x00\x00\x00\x00\x00\x00\x14\x40"   /* 5 */                            \
    "\x00\x00\x00\x00\x00\x00\x00\x40"   /* 2 */                            \
    "\x00\x00\x00\x00\x00\x00\x10\x40"   /* 4 */                            \
    "\x00\x00\x00\x00\x00\x00\x18\x40\n" /* 6 */
    ROW_START();
    strides[0] = 1; strides[1] = 2;
    OK(line_sender_buffer_column_f64_arr_elem_strides(b, col("a"), 2, shape, strides, six, 6, &err));
    OK(line_sender_buffer_at_now(b, &err));
    EXPECT_BYTES(b, TRANSPOSED);

    /* byte strides transpose: {8,16} */
    ROW_START();
    strides[0] = 8; strides[1] = 16;
    OK(line_sender_buffer_column_f64_arr_byte_strides(b, col("a"), 2, shape, strides, six, 6, &err));
    OK(line_sender_buffer_at_now(b, &err));
    EXPECT_BYTES(b, TRANSPOSED);

    /* Row-major byte strides {24,8} equal c_major; 1-D every other element. */
    ROW_START();
    shape[0] = 3;
    strides[0] = 16;
    OK(line_sender_buffer_column_f64_arr_byte_strides(b, col("a"), 1, shape, strides, six, 6, &err));
    strides[0] = 2;
    OK(line_sender_buffer_column_f64_arr_elem_strides(b, col("b"), 1, shape, strides, six + 1, 5, &err));
    OK(line_sender_buffer_at_now(b, &err));
    EXPECT_BYTES(b, "t " ARR_HDR "\x01" "\x03\x00\x00\x00"
                    "\x00\x00\x00\x00\x00\x00\xf0\x3f"   /* 1 */
                    "\x00\x00\x00\x00\x00\x00\x08\x40"   /* 3 */
                    "\x00\x00\x00\x00\x00\x00\x14\x40"   /* 5 */
                    ",b==\x0e\x0a\x01" "\x03\x00\x00\x00"
                    "\x00\x00\x00\x00\x00\x00\x00\x40"   /* 2 */
                    "\x00\x00\x00\x00\x00\x00\x10\x40"   /* 4 */
                    "\x00\x00\x00\x00\x00\x00\x18\x40\n" /* 6 */);

    /* Zero-length dimension: no data bytes. */
    ROW_START();
    shape[0] = 0; shape[1] = 3;
    OK(line_sender_buffer_column_f64_arr_c_major(b, col("a"), 2, shape, six, 0, &err));
    OK(line_sender_buffer_at_now(b, &err));
    EXPECT_BYTES(b, "t " ARR_HDR "\x02" "\x00\x00\x00\x00" "\x03\x00\x00\x00\n");

    /* Rank 32 of ones is fine. */
    ROW_START();
    for (i = 0; i < 33; ++i) shape[i] = 1;
    OK(line_sender_buffer_column_f64_arr_c_major(b, col("a"), 32, shape, six, 1, &err));
    CHECK(line_sender_buffer_size(b) == 2 + 5 + 1 + 32 * 4 + 8);

    /* Errors: the buffer is left unchanged. */
    ROW_START();
    OK(line_sender_buffer_column_i64(b, col("x"), 1, &err));
    shape[0] = 2; shape[1] = 3;
    EXPECT_ERR(line_sender_buffer_column_f64_arr_c_major(b, col("a"), 0, shape, six, 6, &err),
               line_sender_error_array_error, "Zero-dimensional");
    EXPECT_ERR(line_sender_buffer_column_f64_arr_elem_strides(b, col("a"), 0, shape, strides, six, 6, &err),
               line_sender_error_array_error, "Zero-dimensional");
    EXPECT_ERR(line_sender_buffer_column_f64_arr_byte_strides(b, col("a"), 0, shape, strides, six, 6, &err),
               line_sender_error_array_error, "Zero-dimensional");
    for (i = 0; i < 33; ++i) shape[i] = 1;
    EXPECT_ERR(line_sender_buffer_column_f64_arr_c_major(b, col("a"), 33, shape, six, 1, &err),
               line_sender_error_array_error, "at most 32");
    EXPECT_ERR(line_sender_buffer_column_f64_arr_elem_strides(b, col("a"), 33, shape, strides, six, 1, &err),
               line_sender_error_array_error, "");
    EXPECT_ERR(line_sender_buffer_column_f64_arr_byte_strides(b, col("a"), 33, shape, strides, six, 1, &err),
               line_sender_error_array_error, "");
    EXPECT_ERR(line_sender_buffer_column_f64_arr_c_major(b, col("a"), 1, NULL, six, 1, &err),
               line_sender_error_array_error, "NULL");
    EXPECT_ERR(line_sender_buffer_column_f64_arr_elem_strides(b, col("a"), 1, NULL, strides, six, 1, &err),
               line_sender_error_array_error, "NULL");
    EXPECT_ERR(line_sender_buffer_column_f64_arr_byte_strides(b, col("a"), 1, NULL, strides, six, 1, &err),
               line_sender_error_array_error, "NULL");
    shape[0] = 2; shape[1] = 3;
    EXPECT_ERR(line_sender_buffer_column_f64_arr_elem_strides(b, col("a"), 2, shape, NULL, six, 6, &err),
               line_sender_error_array_error, "NULL");
    EXPECT_ERR(line_sender_buffer_column_f64_arr_byte_strides(b, col("a"), 2, shape, NULL, six, 6, &err),
               line_sender_error_array_error, "NULL");
    /* c_major: data_len must equal the shape's product. */
    EXPECT_ERR(line_sender_buffer_column_f64_arr_c_major(b, col("a"), 2, shape, six, 5, &err),
               line_sender_error_array_error, "mismatch");
    EXPECT_ERR(line_sender_buffer_column_f64_arr_c_major(b, col("a"), 1, shape, six, 6, &err),
               line_sender_error_array_error, "mismatch");
    /* Strides reaching outside data_len. */
    strides[0] = 1; strides[1] = 2;
    EXPECT_ERR(line_sender_buffer_column_f64_arr_elem_strides(b, col("a"), 2, shape, strides, six, 5, &err),
               line_sender_error_array_error, "outside");
    strides[0] = 3; strides[1] = 1;
    EXPECT_ERR(line_sender_buffer_column_f64_arr_elem_strides(b, col("a"), 2, shape, strides, six + 1, 5, &err),
               line_sender_error_array_error, "outside");
    strides[0] = 8; strides[1] = 16;
    EXPECT_ERR(line_sender_buffer_column_f64_arr_byte_strides(b, col("a"), 2, shape, strides, six, 5, &err),
               line_sender_error_array_error, "outside");
    shape[0] = 3;
    strides[0] = -1;
    EXPECT_ERR(line_sender_buffer_column_f64_arr_elem_strides(b, col("a"), 1, shape, strides, six, 6, &err),
               line_sender_error_array_error, "outside");
    strides[0] = -8;
    EXPECT_ERR(line_sender_buffer_column_f64_arr_byte_strides(b, col("a"), 1, shape, strides, six, 6, &err),
               line_sender_error_array_error, "outside");
    /* Byte strides not a multiple of 8. */
    strides[0] = 4;
    EXPECT_ERR(line_sender_buffer_column_f64_arr_byte_strides(b, col("a"), 1, shape, strides, six, 6, &err),
               line_sender_error_array_error, "multiple of 8");
    /* Dimension too long. */
    shape[0] = 0x10000000u;
    EXPECT_ERR(line_sender_buffer_column_f64_arr_c_major(b, col("a"), 1, shape, six, 6, &err),
               line_sender_error_array_error, "");
    /* NULL err_out on a failing array call. */
    CHECK(!line_sender_buffer_column_f64_arr_c_major(b, col("a"), 0, shape, six, 6, NULL));
    EXPECT_BYTES(b, "t x=1i");
    CHECK(line_sender_buffer_check_can_flush(b, NULL) == false);

    /* Byte stride not a multiple of 8 is OK for a length-1 dimension. */
    shape[0] = 1; shape[1] = 2;
    strides[0] = 3; strides[1] = 8;
    OK(line_sender_buffer_column_f64_arr_byte_strides(b, col("a"), 2, shape, strides, six, 2, &err));
    OK(line_sender_buffer_at_now(b, &err));
    EXPECT_BYTES(b, "t x=1i," ARR_HDR "\x02" "\x01\x00\x00\x00" "\x02\x00\x00\x00"
                    "\x00\x00\x00\x00\x00\x00\xf0\x3f"
                    "\x00\x00\x00\x00\x00\x00\x00\x40\n");
#undef ROW_START
    line_sender_buffer_free(b);
}

static void test_decimals(void)
{
    uint8_t d[33];
    line_sender_buffer* b = line_sender_buffer_new(line_sender_protocol_version_3);
    CHECK(b != NULL);
    memset(d, 0, sizeof d);
    d[0] = 0x30; d[1] = 0x39;

    OK(line_sender_buffer_table(b, tbl("t"), &err));
    OK(line_sender_buffer_column_dec_str(b, col("price"), "123.45", 6, &err));
    OK(line_sender_buffer_column_dec_str(b, col("x"), "-1.5e-3", 7, &err));
    OK(line_sender_buffer_column_dec_str(b, col("y"), "NaN", 3, &err));
    OK(line_sender_buffer_column_dec_str(b, col("z"), "+Infinity", 9, &err));
    OK(line_sender_buffer_column_dec(b, col("p"), 2, d, 2, &err));
    OK(line_sender_buffer_column_dec(b, col("n"), 0, NULL, 0, &err));
    OK(line_sender_buffer_column_f64(b, col("f"), 1.5, &err));
    OK(line_sender_buffer_at_nanos(b, 1, &err));
    EXPECT_BYTES(b, "t price=123.45d,x=-1.5e-3d,y=NaNd,z=+Infinityd,"
                    "p==\x17\x02\x02\x30\x39,n==\x17\x00\x00,"
                    "f==\x10\x00\x00\x00\x00\x00\x00\xf8\x3f 1n\n");

    line_sender_buffer_clear(b);
    OK(line_sender_buffer_table(b, tbl("t"), &err));
    OK(line_sender_buffer_column_dec(b, col("p"), 76, d, 32, &err));
    EXPECT_ERR(line_sender_buffer_column_dec(b, col("q"), 77, d, 2, &err),
               line_sender_error_invalid_decimal, "scale");
    EXPECT_ERR(line_sender_buffer_column_dec(b, col("q"), 2, d, 33, &err),
               line_sender_error_invalid_decimal, "32 bytes");
    EXPECT_ERR(line_sender_buffer_column_dec_str(b, col("q"), "abc", 3, &err),
               line_sender_error_invalid_decimal, "invalid character");
    EXPECT_ERR(line_sender_buffer_column_dec_str(b, col("q"), "1,5", 3, &err),
               line_sender_error_invalid_decimal, "");
    EXPECT_ERR(line_sender_buffer_column_dec_str(b, col("q"), "", 0, &err),
               line_sender_error_invalid_decimal, "");
    EXPECT_ERR(line_sender_buffer_column_dec_str(b, col("q"), "1.2.3", 5, &err),
               line_sender_error_invalid_decimal, "not a number");
    EXPECT_ERR(line_sender_buffer_column_dec_str(b, col("q"), "--1", 3, &err),
               line_sender_error_invalid_decimal, "");
    EXPECT_ERR(line_sender_buffer_column_dec_str(b, col("q"), NULL, 3, &err),
               line_sender_error_invalid_decimal, "");
    CHECK(!line_sender_buffer_column_dec_str(b, col("q"), "x", 1, NULL));
    OK(line_sender_buffer_at_now(b, &err));
    {
        char exp[64];
        memcpy(exp, "t p==\x17\x4c\x20", 8);
        memset(exp + 8, 0, 32);
        exp[8] = 0x30; exp[9] = 0x39;
        exp[40] = '\n';
        CHECK(bytes_eq(b, exp, 41));
    }
    line_sender_buffer_free(b);
}

static void test_state_machine(void)
{
    line_sender_buffer* b = line_sender_buffer_new(line_sender_protocol_version_1);
    CHECK(b != NULL);
    /* Empty buffer can flush (ours). */
    OK(line_sender_buffer_check_can_flush(b, &err));
    EXPECT_ERR(line_sender_buffer_symbol(b, col("s"), u8("v"), &err),
               line_sender_error_invalid_api_call, "`symbol`");
    EXPECT_ERR(line_sender_buffer_column_i64(b, col("c"), 1, &err),
               line_sender_error_invalid_api_call, "");
    EXPECT_ERR(line_sender_buffer_at_now(b, &err),
               line_sender_error_invalid_api_call, "");
    EXPECT_ERR(line_sender_buffer_at_nanos(b, 1, &err),
               line_sender_error_invalid_api_call, "");
    OK(line_sender_buffer_table(b, tbl("t"), &err));
    EXPECT_ERR(line_sender_buffer_table(b, tbl("t"), &err),
               line_sender_error_invalid_api_call, "`table`");
    EXPECT_ERR(line_sender_buffer_at_now(b, &err),
               line_sender_error_invalid_api_call, "should have called `symbol` or `column` instead");
    EXPECT_ERR(line_sender_buffer_at_micros(b, 1, &err),
               line_sender_error_invalid_api_call, "");
    EXPECT_ERR(line_sender_buffer_check_can_flush(b, &err),
               line_sender_error_invalid_api_call, "");
    OK(line_sender_buffer_symbol(b, col("s"), u8("v"), &err));
    EXPECT_ERR(line_sender_buffer_check_can_flush(b, &err),
               line_sender_error_invalid_api_call, "");
    OK(line_sender_buffer_column_i64(b, col("c"), 1, &err));
    EXPECT_ERR(line_sender_buffer_symbol(b, col("s2"), u8("v"), &err),
               line_sender_error_invalid_api_call, "`symbol`");
    EXPECT_ERR(line_sender_buffer_table(b, tbl("t"), &err),
               line_sender_error_invalid_api_call, "");
    CHECK(!line_sender_buffer_table(b, tbl("t"), NULL));
    OK(line_sender_buffer_at_now(b, &err));
    OK(line_sender_buffer_check_can_flush(b, &err));
    EXPECT_ERR(line_sender_buffer_column_i64(b, col("c"), 1, &err),
               line_sender_error_invalid_api_call, "");
    EXPECT_ERR(line_sender_buffer_at_now(b, &err),
               line_sender_error_invalid_api_call, "");
    EXPECT_BYTES(b, "t,s=v c=1i\n");
    line_sender_buffer_free(b);
}

static void test_names_in_buffer(void)
{
    char name[200];
    line_sender_table_name t;
    line_sender_column_name c;
    line_sender_buffer* b = line_sender_buffer_new(line_sender_protocol_version_1);
    line_sender_buffer* s = line_sender_buffer_with_max_name_len(line_sender_protocol_version_1, 16);
    CHECK(b != NULL && s != NULL);
    memset(name, 'x', sizeof name);

    /* Default max 127 bytes. */
    OK(line_sender_table_name_init(&t, 128, name, &err)); /* length checked by buffer */
    EXPECT_ERR(line_sender_buffer_table(b, t, &err),
               line_sender_error_invalid_name, "Too long");
    EXPECT_BYTES(b, "");
    t.len = 127;
    OK(line_sender_buffer_table(b, t, &err));
    OK(line_sender_column_name_init(&c, 128, name, &err));
    EXPECT_ERR(line_sender_buffer_column_i64(b, c, 1, &err),
               line_sender_error_invalid_name, "max 127 bytes");
    EXPECT_ERR(line_sender_buffer_symbol(b, c, u8("v"), &err),
               line_sender_error_invalid_name, "Too long");
    c.len = 127;
    OK(line_sender_buffer_column_i64(b, c, 1, &err));
    CHECK(line_sender_buffer_size(b) == 127 + 1 + 127 + 3);

    /* Configured max 16: counted in bytes (é is 2 bytes). */
    memcpy(name, "\xc3\xa9", 2);
    OK(line_sender_table_name_init(&t, 17, name, &err));
    EXPECT_ERR(line_sender_buffer_table(s, t, &err),
               line_sender_error_invalid_name, "max 16 bytes");
    t.len = 16;
    OK(line_sender_buffer_table(s, t, &err));
    OK(line_sender_column_name_init(&c, 17, name, &err));
    EXPECT_ERR(line_sender_buffer_column_bool(s, c, true, &err),
               line_sender_error_invalid_name, "Too long");
    EXPECT_ERR(line_sender_buffer_column_f64(s, c, 1.0, &err),
               line_sender_error_invalid_name, "");
    EXPECT_ERR(line_sender_buffer_column_str(s, c, u8("v"), &err),
               line_sender_error_invalid_name, "");
    EXPECT_ERR(line_sender_buffer_column_ts_nanos(s, c, 1, &err),
               line_sender_error_invalid_name, "");
    EXPECT_ERR(line_sender_buffer_column_ts_micros(s, c, 1, &err),
               line_sender_error_invalid_name, "");
    c.len = 16;
    OK(line_sender_buffer_column_bool(s, c, true, &err));
    OK(line_sender_buffer_at_now(s, &err));
    EXPECT_BYTES(s, "\xc3\xa9xxxxxxxxxxxxxx \xc3\xa9xxxxxxxxxxxxxx=t\n");
    line_sender_buffer_free(b);
    line_sender_buffer_free(s);
}

static void test_markers_clone_capacity(void)
{
    line_sender_buffer* b = line_sender_buffer_new(line_sender_protocol_version_1);
    line_sender_buffer* c;
    size_t cap;
    CHECK(b != NULL);

    EXPECT_ERR(line_sender_buffer_rewind_to_marker(b, &err),
               line_sender_error_invalid_api_call, "No marker set");
    CHECK(!line_sender_buffer_rewind_to_marker(b, NULL));
    OK(line_sender_buffer_set_marker(b, &err)); /* on empty buffer */
    OK(line_sender_buffer_table(b, tbl("a"), &err));
    EXPECT_ERR(line_sender_buffer_set_marker(b, &err),
               line_sender_error_invalid_api_call, "marker");
    OK(line_sender_buffer_column_i64(b, col("x"), 1, &err));
    CHECK(!line_sender_buffer_set_marker(b, NULL));
    OK(line_sender_buffer_at_now(b, &err));
    CHECK(line_sender_buffer_row_count(b) == 1);
    OK(line_sender_buffer_rewind_to_marker(b, &err));
    EXPECT_BYTES(b, "");
    CHECK(line_sender_buffer_row_count(b) == 0);
    CHECK(line_sender_buffer_transactional(b));
    EXPECT_ERR(line_sender_buffer_rewind_to_marker(b, &err),
               line_sender_error_invalid_api_call, "No marker set");

    OK(line_sender_buffer_table(b, tbl("a"), &err));
    OK(line_sender_buffer_column_i64(b, col("x"), 1, &err));
    OK(line_sender_buffer_at_now(b, &err));
    OK(line_sender_buffer_set_marker(b, &err));
    OK(line_sender_buffer_table(b, tbl("b"), &err));
    OK(line_sender_buffer_column_i64(b, col("y"), 2, &err));
    OK(line_sender_buffer_at_now(b, &err));
    CHECK(line_sender_buffer_row_count(b) == 2);
    CHECK(!line_sender_buffer_transactional(b));

    /* Clone: deep copy of bytes, state and marker. */
    c = line_sender_buffer_clone(b);
    CHECK(c != NULL);
    EXPECT_BYTES(c, "a x=1i\nb y=2i\n");
    CHECK(line_sender_buffer_row_count(c) == 2);
    CHECK(!line_sender_buffer_transactional(c));

    /* Rewind in original, partial row after marker. */
    OK(line_sender_buffer_table(b, tbl("c"), &err));
    OK(line_sender_buffer_column_i64(b, col("z"), 3, &err));
    OK(line_sender_buffer_rewind_to_marker(b, &err));
    EXPECT_BYTES(b, "a x=1i\n");
    CHECK(line_sender_buffer_row_count(b) == 1);
    CHECK(line_sender_buffer_transactional(b));
    OK(line_sender_buffer_check_can_flush(b, &err));
    OK(line_sender_buffer_table(b, tbl("a"), &err)); /* state RowDone restored */
    OK(line_sender_buffer_column_i64(b, col("x"), 4, &err));
    OK(line_sender_buffer_at_now(b, &err));
    EXPECT_BYTES(b, "a x=1i\na x=4i\n");
    CHECK(line_sender_buffer_transactional(b));

    /* Clone is unaffected and keeps its own marker. */
    EXPECT_BYTES(c, "a x=1i\nb y=2i\n");
    OK(line_sender_buffer_rewind_to_marker(c, &err));
    EXPECT_BYTES(c, "a x=1i\n");
    CHECK(line_sender_buffer_row_count(c) == 1);
    CHECK(line_sender_buffer_transactional(c));

    /* clear_marker */
    OK(line_sender_buffer_set_marker(c, &err));
    line_sender_buffer_clear_marker(c);
    EXPECT_ERR(line_sender_buffer_rewind_to_marker(c, &err),
               line_sender_error_invalid_api_call, "No marker set");
    line_sender_buffer_clear_marker(c); /* no marker: no-op */

    /* Clone mid-row keeps the row state. */
    OK(line_sender_buffer_table(c, tbl("a"), &err));
    {
        line_sender_buffer* d = line_sender_buffer_clone(c);
        CHECK(d != NULL);
        EXPECT_ERR(line_sender_buffer_at_now(d, &err),
                   line_sender_error_invalid_api_call, "");
        OK(line_sender_buffer_column_bool(d, col("k"), true, &err));
        OK(line_sender_buffer_at_now(d, &err));
        EXPECT_BYTES(d, "a x=1i\na k=t\n");
        EXPECT_BYTES(c, "a x=1i\na");
        line_sender_buffer_free(d);
    }

    /* clear empties bytes, state and marker but keeps capacity. */
    OK(line_sender_buffer_set_marker(b, &err));
    line_sender_buffer_reserve(b, 100000);
    cap = line_sender_buffer_capacity(b);
    CHECK(cap >= line_sender_buffer_size(b) + 100000);
    line_sender_buffer_clear(b);
    EXPECT_BYTES(b, "");
    CHECK(line_sender_buffer_capacity(b) == cap);
    CHECK(line_sender_buffer_row_count(b) == 0);
    CHECK(line_sender_buffer_transactional(b));
    EXPECT_ERR(line_sender_buffer_rewind_to_marker(b, &err),
               line_sender_error_invalid_api_call, "");
    EXPECT_ERR(line_sender_buffer_column_i64(b, col("x"), 1, &err),
               line_sender_error_invalid_api_call, "");
    line_sender_buffer_reserve(b, 0);
    CHECK(line_sender_buffer_capacity(b) == cap);

    /* Transactional: same table bytes only. */
    OK(line_sender_buffer_table(b, tbl("a"), &err));
    OK(line_sender_buffer_column_i64(b, col("x"), 1, &err));
    OK(line_sender_buffer_at_now(b, &err));
    CHECK(line_sender_buffer_transactional(b));
    OK(line_sender_buffer_table(b, tbl("a"), &err));
    CHECK(line_sender_buffer_transactional(b));
    OK(line_sender_buffer_column_i64(b, col("x"), 1, &err));
    OK(line_sender_buffer_at_now(b, &err));
    CHECK(line_sender_buffer_transactional(b));
    OK(line_sender_buffer_table(b, tbl("A"), &err));
    OK(line_sender_buffer_column_i64(b, col("x"), 1, &err));
    OK(line_sender_buffer_at_now(b, &err));
    CHECK(!line_sender_buffer_transactional(b));
    CHECK(line_sender_buffer_row_count(b) == 3);

    line_sender_buffer_free(b);
    line_sender_buffer_free(c);
}

static void test_null_buffer(void)
{
    uintptr_t shape[1] = {1};
    intptr_t strides[1] = {1};
    double data[1] = {1.0};
    uint8_t dec[1] = {1};
    line_sender_column_name c = QDB_COLUMN_NAME_LITERAL("c");
    line_sender_buffer_view v;
    const line_sender_error_code api = line_sender_error_invalid_api_call;

    line_sender_buffer_free(NULL);
    CHECK(line_sender_buffer_clone(NULL) == NULL);
    line_sender_buffer_reserve(NULL, 10);
    CHECK(line_sender_buffer_capacity(NULL) == 0);
    line_sender_buffer_clear_marker(NULL);
    line_sender_buffer_clear(NULL);
    CHECK(line_sender_buffer_size(NULL) == 0);
    CHECK(line_sender_buffer_row_count(NULL) == 0);
    CHECK(!line_sender_buffer_transactional(NULL));
    v = line_sender_buffer_peek(NULL);
    CHECK(v.len == 0 && v.buf == NULL);

    EXPECT_ERR(line_sender_buffer_set_marker(NULL, &err), api, "NULL");
    EXPECT_ERR(line_sender_buffer_rewind_to_marker(NULL, &err), api, "NULL");
    EXPECT_ERR(line_sender_buffer_table(NULL, QDB_TABLE_NAME_LITERAL("t"), &err), api, "NULL");
    EXPECT_ERR(line_sender_buffer_symbol(NULL, c, QDB_UTF8_LITERAL("v"), &err), api, "NULL");
    EXPECT_ERR(line_sender_buffer_column_bool(NULL, c, true, &err), api, "NULL");
    EXPECT_ERR(line_sender_buffer_column_i64(NULL, c, 1, &err), api, "NULL");
    EXPECT_ERR(line_sender_buffer_column_f64(NULL, c, 1.0, &err), api, "NULL");
    EXPECT_ERR(line_sender_buffer_column_str(NULL, c, QDB_UTF8_LITERAL("v"), &err), api, "NULL");
    EXPECT_ERR(line_sender_buffer_column_dec_str(NULL, c, "1", 1, &err), api, "NULL");
    EXPECT_ERR(line_sender_buffer_column_dec(NULL, c, 0, dec, 1, &err), api, "NULL");
    EXPECT_ERR(line_sender_buffer_column_f64_arr_c_major(NULL, c, 1, shape, data, 1, &err), api, "NULL");
    EXPECT_ERR(line_sender_buffer_column_f64_arr_byte_strides(NULL, c, 1, shape, strides, data, 1, &err), api, "NULL");
    EXPECT_ERR(line_sender_buffer_column_f64_arr_elem_strides(NULL, c, 1, shape, strides, data, 1, &err), api, "NULL");
    EXPECT_ERR(line_sender_buffer_column_ts_nanos(NULL, c, 1, &err), api, "NULL");
    EXPECT_ERR(line_sender_buffer_column_ts_micros(NULL, c, 1, &err), api, "NULL");
    EXPECT_ERR(line_sender_buffer_at_nanos(NULL, 1, &err), api, "NULL");
    EXPECT_ERR(line_sender_buffer_at_micros(NULL, 1, &err), api, "NULL");
    EXPECT_ERR(line_sender_buffer_at_now(NULL, &err), api, "NULL");
    EXPECT_ERR(line_sender_buffer_check_can_flush(NULL, &err), api, "NULL");

    /* NULL buffer and NULL err_out together. */
    CHECK(!line_sender_buffer_set_marker(NULL, NULL));
    CHECK(!line_sender_buffer_table(NULL, QDB_TABLE_NAME_LITERAL("t"), NULL));
    CHECK(!line_sender_buffer_column_f64_arr_c_major(NULL, c, 1, shape, data, 1, NULL));
    CHECK(!line_sender_buffer_at_now(NULL, NULL));
    CHECK(!line_sender_buffer_check_can_flush(NULL, NULL));
}

static void test_misc(void)
{
    int64_t n = line_sender_now_nanos();
    int64_t m = line_sender_now_micros();
    int64_t n2;
    line_sender_buffer* b;
    CHECK(n > 1600000000000000000LL);
    CHECK(m > 1600000000000000LL);
    n2 = line_sender_now_nanos();
    CHECK(n2 >= n);
    CHECK(m >= n / 1000 && m - n / 1000 < 60000000LL);

    b = line_sender_buffer_new(line_sender_protocol_version_3);
    CHECK(b != NULL);
    line_sender_buffer_free(b);
    b = line_sender_buffer_with_max_name_len(line_sender_protocol_version_2, 200);
    CHECK(b != NULL);
    {
        char name[200];
        line_sender_table_name t;
        memset(name, 'y', sizeof name);
        OK(line_sender_table_name_init(&t, 200, name, &err));
        OK(line_sender_buffer_table(b, t, &err));
        CHECK(line_sender_buffer_size(b) == 200);
    }
    line_sender_buffer_free(b);
}

int main(void)
{
    test_errors_and_names();
    test_v1_rows();
    test_v2();
    test_arrays();
    test_decimals();
    test_state_machine();
    test_names_in_buffer();
    test_markers_clone_capacity();
    test_null_buffer();
    test_misc();
    printf("test_buffer: all checks passed\n");
    return 0;
}
