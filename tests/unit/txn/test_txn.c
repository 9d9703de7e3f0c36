/* SPDX-License-Identifier: BSD-3-Clause */
/* test_txn.c — RFC 3261 §17 transaction state machines driven by an injected clock. */
#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sip.h"
#include "txn.h"

#define MAXEV 512
#define TB 100 /* timer kind base */

struct tu {
	struct tw tw;
	struct txn_layer L;
	void *mem, *nodes;
	/* what the layer did */
	int nsend;
	uint32_t send_ref[MAXEV];
	uint64_t send_at[MAXEV];
	int nresp;
	uint16_t resp[MAXEV];
	int nto;
	enum txn_timeout to[16];
	int nrel, nended, nacks_built;
	uint32_t next_ref;
};

static void op_send(void *ctx, struct txn *t, uint32_t ref)
{
	struct tu *u = ctx;
	u->send_ref[u->nsend] = ref;
	u->send_at[u->nsend] = u->tw.now;
	u->nsend++;
}
static void op_response(void *ctx, struct txn *t, uint16_t status, const void *msg)
{
	struct tu *u = ctx;
	u->resp[u->nresp++] = status;
}
static uint32_t op_build_ack(void *ctx, struct txn *t, const void *msg)
{
	struct tu *u = ctx;
	u->nacks_built++;
	return 9000 + u->nacks_built;
}
static void op_timeout(void *ctx, struct txn *t, enum txn_timeout w)
{
	struct tu *u = ctx;
	u->to[u->nto++] = w;
}
static void op_release(void *ctx, struct txn *t, uint32_t ref)
{
	((struct tu *)ctx)->nrel++;
}
static void op_ended(void *ctx, struct txn *t)
{
	((struct tu *)ctx)->nended++;
}

static const struct txn_ops ops = {op_send, op_response, op_build_ack, op_timeout, op_release, op_ended};

static void fire(void *ctx, uint32_t kind, uint64_t arg)
{
	struct tu *u = ctx;
	txn_timer_fire(&u->L, kind, arg);
}

/* advance the clock to t ms */
static void at(struct tu *u, uint64_t ms)
{
	tw_advance(&u->tw, ms, fire, u, UINT32_MAX);
}

static int setup(void **state)
{
	struct tu *u = calloc(1, sizeof(*u));
	u->nodes = malloc(tw_nodes_size(256));
	tw_init(&u->tw, u->nodes, 256, 0);
	struct txn_cfg cfg = {.max_txn = 8, .t1_ms = 500, .t2_ms = 4000, .t4_ms = 5000};
	u->mem = malloc(txn_layer_memsize(cfg.max_txn));
	txn_layer_init(&u->L, u->mem, &cfg, &ops, u, &u->tw, TB);
	*state = u;
	return 0;
}

static int teardown(void **state)
{
	struct tu *u = *state;
	/* every transaction ended and every ref was released */
	assert_int_equal(u->L.active, 0);
	assert_int_equal(u->L.st.created, u->L.st.ended);
	assert_int_equal(u->tw.active, 0);
	free(u->mem);
	free(u->nodes);
	free(u);
	return 0;
}

static struct txn_key key(const char *branch, uint8_t method)
{
	struct txn_key k = {.branch = branch, .branch_len = (uint32_t)strlen(branch),
			    .sent_by = "192.0.2.1:5070", .sent_by_len = 14, .method = method};
	return k;
}

static void test_ict_timer_a_doubles_and_b_times_out(void **state)
{
	struct tu *u = *state;
	struct txn_key k = key("z9hG4bK-a1", SIP_M_INVITE);
	assert_non_null(txn_client_start(&u->L, &k, TXN_UDP, 0, 1, 0));
	at(u, 40000);
	/* sent at 0, then A: 500, 1500, 3500, 7500, 15500, 31500 (interval doubles, no cap) */
	uint64_t expect[] = {0, 500, 1500, 3500, 7500, 15500, 31500};
	assert_int_equal(u->nsend, 7);
	for (int i = 0; i < 7; i++)
		assert_int_equal(u->send_at[i], expect[i]);
	assert_int_equal(u->nto, 1);
	assert_int_equal(u->to[0], TXN_TO_B); /* at 64*T1 = 32 s */
	assert_int_equal(u->nrel, 1);
}

static void test_ict_non2xx_acked_in_txn_and_retransmission_absorbed(void **state)
{
	struct tu *u = *state;
	struct txn_key k = key("z9hG4bK-a2", SIP_M_INVITE);
	txn_client_start(&u->L, &k, TXN_UDP, 0, 1, 0);
	at(u, 100);
	assert_int_equal(txn_client_response(&u->L, &k, 180, NULL), 0);
	at(u, 5000); /* no A retransmission after a provisional */
	assert_int_equal(u->nsend, 1);
	txn_client_response(&u->L, &k, 486, NULL);
	assert_int_equal(u->nacks_built, 1);
	assert_int_equal(u->nsend, 2); /* the ACK */
	assert_int_equal(u->send_ref[1], 9001);
	txn_client_response(&u->L, &k, 486, NULL); /* retransmitted final */
	assert_int_equal(u->nsend, 3);             /* ACK again */
	assert_int_equal(u->nresp, 2);             /* 180 and one 486: the TU sees it once */
	assert_int_equal(u->resp[1], 486);
	at(u, 5000 + 31999);
	assert_int_equal(u->nended, 0); /* D: 32 s */
	at(u, 5000 + 32001);
	assert_int_equal(u->nended, 1);
	assert_int_equal(u->nrel, 2); /* INVITE and ACK */
	/* after the end, responses match nothing */
	assert_int_equal(txn_client_response(&u->L, &k, 486, NULL), -ENOENT);
	assert_int_equal(u->L.st.unmatched_responses, 1);
}

static void test_ict_2xx_accepted_passes_retransmissions(void **state)
{
	struct tu *u = *state;
	struct txn_key k = key("z9hG4bK-a3", SIP_M_INVITE);
	txn_client_start(&u->L, &k, TXN_UDP, 0, 1, 0);
	txn_client_response(&u->L, &k, 200, NULL);
	txn_client_response(&u->L, &k, 200, NULL);
	assert_int_equal(u->nresp, 2); /* both 2xx to the TU (it re-sends its ACK) */
	assert_int_equal(u->nacks_built, 0);
	at(u, 32001); /* M */
	assert_int_equal(u->nended, 1);
	assert_int_equal(u->nto, 0);
}

static void test_nict_timer_e_caps_at_t2_then_f(void **state)
{
	struct tu *u = *state;
	struct txn_key k = key("z9hG4bK-n1", SIP_M_BYE);
	txn_client_start(&u->L, &k, TXN_UDP, 0, 1, 0);
	at(u, 33000);
	/* 0, 500, 1500, 3500, 7500, 11500, 15500, ... every 4 s up to 32 s */
	uint64_t expect[] = {0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500};
	assert_int_equal(u->nsend, 11);
	for (int i = 0; i < 11; i++)
		assert_int_equal(u->send_at[i], expect[i]);
	assert_int_equal(u->nto, 1);
	assert_int_equal(u->to[0], TXN_TO_F);
}

static void test_nict_final_then_k(void **state)
{
	struct tu *u = *state;
	struct txn_key k = key("z9hG4bK-n2", SIP_M_OPTIONS);
	txn_client_start(&u->L, &k, TXN_UDP, 0, 1, 0);
	txn_client_response(&u->L, &k, 100, NULL);
	/* Proceeding: the E already armed fires as set (500), then it is reset to T2 each time */
	at(u, 4600);
	assert_int_equal(u->nsend, 3);
	assert_int_equal(u->send_at[1], 500);
	assert_int_equal(u->send_at[2], 4500);
	txn_client_response(&u->L, &k, 200, NULL);
	txn_client_response(&u->L, &k, 200, NULL); /* absorbed in Completed */
	assert_int_equal(u->nresp, 2);
	at(u, 4600 + 5001); /* K = T4 */
	assert_int_equal(u->nended, 1);
}

static void test_ist_non2xx_g_h_and_ack_confirmed(void **state)
{
	struct tu *u = *state;
	struct txn_key k = key("z9hG4bK-s1", SIP_M_INVITE);
	int abs;
	assert_null(txn_server_match(&u->L, &k, &abs));
	struct txn *t = txn_server_create(&u->L, &k, TXN_UDP, 0, 0);
	assert_non_null(t);
	txn_server_respond(&u->L, t, 100, 1);
	/* a retransmitted INVITE gets the 100 again */
	assert_ptr_equal(txn_server_match(&u->L, &k, &abs), t);
	assert_int_equal(abs, 1);
	assert_int_equal(u->nsend, 2);
	assert_int_equal(u->send_ref[1], 1);
	txn_server_respond(&u->L, t, 486, 2);
	assert_int_equal(u->nrel, 1); /* the 100 was replaced */
	at(u, 4000);
	/* G: 500, 1500, 3500 */
	assert_int_equal(u->nsend, 6);
	assert_int_equal(u->send_at[3], 500);
	assert_int_equal(u->send_at[5], 3500);
	struct txn_key ack = key("z9hG4bK-s1", SIP_M_ACK);
	assert_ptr_equal(txn_server_match(&u->L, &ack, &abs), t);
	assert_int_equal(abs, 1);
	at(u, 8000); /* Confirmed: no more G */
	assert_int_equal(u->nsend, 6);
	assert_ptr_equal(txn_server_match(&u->L, &ack, &abs), t); /* ACK retransmission absorbed */
	at(u, 4000 + 5001); /* I */
	assert_int_equal(u->nended, 1);
	assert_int_equal(u->nto, 0);
}

static void test_ist_no_ack_timer_h(void **state)
{
	struct tu *u = *state;
	struct txn_key k = key("z9hG4bK-s2", SIP_M_INVITE);
	struct txn *t = txn_server_create(&u->L, &k, TXN_UDP, 0, 0);
	txn_server_respond(&u->L, t, 603, 1);
	at(u, 40000);
	/* G capped at T2: 500, 1500, 3500, 7500, 11500, ... 31500 */
	assert_int_equal(u->send_at[u->nsend - 1], 31500);
	assert_int_equal(u->nto, 1);
	assert_int_equal(u->to[0], TXN_TO_H);
}

static void test_ist_2xx_retransmitted_until_ack(void **state)
{
	struct tu *u = *state;
	struct txn_key k = key("z9hG4bK-s3", SIP_M_INVITE);
	struct txn *t = txn_server_create(&u->L, &k, TXN_UDP, 0, 0);
	txn_server_respond(&u->L, t, 200, 1);
	at(u, 2000);
	assert_int_equal(u->nsend, 3); /* 0, 500, 1500 */
	txn_server_ack_2xx(&u->L, t);
	at(u, 6000);
	assert_int_equal(u->nsend, 3); /* no more 2xx retransmissions */
	int abs;
	/* a late INVITE retransmission is still absorbed (and gets the 2xx) */
	assert_ptr_equal(txn_server_match(&u->L, &k, &abs), t);
	assert_int_equal(abs, 1);
	at(u, 2000 + 5001); /* gone T4 after the ACK */
	assert_int_equal(u->nended, 1);
	assert_int_equal(u->nto, 0);
}

static void test_ist_2xx_without_ack_reports_l(void **state)
{
	struct tu *u = *state;
	struct txn_key k = key("z9hG4bK-s4", SIP_M_INVITE);
	struct txn *t = txn_server_create(&u->L, &k, TXN_UDP, 0, 0);
	txn_server_respond(&u->L, t, 200, 1);
	at(u, 33000);
	assert_int_equal(u->nto, 1);
	assert_int_equal(u->to[0], TXN_TO_L_NO_ACK);
}

static void test_nist_j_absorbs_retransmissions(void **state)
{
	struct tu *u = *state;
	struct txn_key k = key("z9hG4bK-s5", SIP_M_BYE);
	struct txn *t = txn_server_create(&u->L, &k, TXN_UDP, 0, 0);
	txn_server_respond(&u->L, t, 200, 1);
	int abs;
	at(u, 10000);
	assert_ptr_equal(txn_server_match(&u->L, &k, &abs), t);
	assert_int_equal(u->nsend, 2); /* final resent for the retransmitted BYE */
	at(u, 32001);                 /* J = 64*T1 */
	assert_int_equal(u->nended, 1);
	assert_null(txn_server_match(&u->L, &k, &abs));
}

static void test_cancel_finds_invite_and_keys_are_distinct(void **state)
{
	struct tu *u = *state;
	struct txn_key inv = key("z9hG4bK-c1", SIP_M_INVITE);
	struct txn *ti = txn_server_create(&u->L, &inv, TXN_UDP, 0, 0);
	struct txn_key can = key("z9hG4bK-c1", SIP_M_CANCEL);
	int abs;
	assert_null(txn_server_match(&u->L, &can, &abs)); /* CANCEL is its own transaction */
	struct txn *tc = txn_server_create(&u->L, &can, TXN_UDP, 0, 0);
	assert_ptr_not_equal(ti, tc);
	assert_ptr_equal(txn_server_find_invite(&u->L, &can), ti);
	/* same branch from another sent-by is another transaction */
	struct txn_key other = inv;
	other.sent_by = "192.0.2.9:5060";
	assert_null(txn_server_match(&u->L, &other, &abs));
	/* sent-by compares case-insensitively */
	struct txn_key upper = inv;
	upper.sent_by = "192.0.2.1:5070";
	assert_ptr_equal(txn_server_match(&u->L, &upper, &abs), ti);
	txn_server_respond(&u->L, tc, 200, 1);
	txn_server_respond(&u->L, ti, 487, 2);
	struct txn_key ack = key("z9hG4bK-c1", SIP_M_ACK);
	txn_server_match(&u->L, &ack, &abs);
	at(u, 40000);
}

static void test_reliable_transport_no_retransmissions(void **state)
{
	struct tu *u = *state;
	struct txn_key k = key("z9hG4bK-r1", SIP_M_INVITE);
	txn_client_start(&u->L, &k, TXN_TCP, 7, 1, 0);
	at(u, 10000);
	assert_int_equal(u->nsend, 1);
	txn_client_response(&u->L, &k, 404, NULL);
	assert_int_equal(u->nended, 1); /* D = 0 on reliable transports */
}

static void test_pool_full_and_server_guard(void **state)
{
	struct tu *u = *state;
	char b[8][16];
	for (int i = 0; i < 8; i++) {
		snprintf(b[i], sizeof(b[i]), "z9hG4bK-p%d", i);
		struct txn_key k = key(b[i], SIP_M_OPTIONS);
		assert_non_null(txn_server_create(&u->L, &k, TXN_UDP, 0, 0));
	}
	struct txn_key k = key("z9hG4bK-px", SIP_M_OPTIONS);
	assert_null(txn_server_create(&u->L, &k, TXN_UDP, 0, 0));
	assert_int_equal(u->L.st.pool_full, 1);
	at(u, TXN_SERVER_GUARD_MS + 1); /* the TU never answered */
	assert_int_equal(u->nto, 8);
	assert_int_equal(u->to[0], TXN_TO_NO_ANSWER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_ict_timer_a_doubles_and_b_times_out),
		T(test_ict_non2xx_acked_in_txn_and_retransmission_absorbed),
		T(test_ict_2xx_accepted_passes_retransmissions),
		T(test_nict_timer_e_caps_at_t2_then_f),
		T(test_nict_final_then_k),
		T(test_ist_non2xx_g_h_and_ack_confirmed),
		T(test_ist_no_ack_timer_h),
		T(test_ist_2xx_retransmitted_until_ack),
		T(test_ist_2xx_without_ack_reports_l),
		T(test_nist_j_absorbs_retransmissions),
		T(test_cancel_finds_invite_and_keys_are_distinct),
		T(test_reliable_transport_no_retransmissions),
		T(test_pool_full_and_server_guard),
	};
	return cmocka_run_group_tests_name("txn", tests, NULL, NULL);
}
