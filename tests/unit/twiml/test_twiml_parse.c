/* SPDX-License-Identifier: BSD-3-Clause */
/* test_twiml_parse.c — TwiML documents → verb programs: defaults, text, SSML, errors, limits. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "twiml.h"

static struct twiml_prog *parse_ok(const char *doc)
{
	struct twiml_prog *p = NULL;
	struct twiml_err err;
	int rc = twiml_parse(doc, strlen(doc), &p, &err);
	if (rc)
		fail_msg("parse failed: %d %u line %u: %s", rc, err.code, err.line, err.msg);
	return p;
}

static uint32_t parse_err(const char *doc, size_t len)
{
	struct twiml_prog *p = NULL;
	struct twiml_err err;
	assert_int_equal(twiml_parse(doc, len, &p, &err), -EINVAL);
	assert_null(p);
	assert_true(err.msg[0] != 0);
	return err.code;
}

static bool has_warn(const struct twiml_prog *p, uint32_t code)
{
	for (uint32_t i = 0; i < p->n_warn; i++)
		if (p->warn[i].code == code)
			return true;
	return false;
}

static void t_defaults(void **st)
{
	struct twiml_prog *p = parse_ok(
	    "<Response><Say>Hi</Say><Play>http://a/b.wav</Play><Pause/><Gather/><Record/>"
	    "<Dial>+15551234567</Dial><Redirect>next.xml</Redirect><Reject/><Hangup/></Response>");
	assert_int_equal(p->n_verbs, 9);
	const struct twiml_node *v = p->verbs;
	assert_int_equal(v[0].kind, TWIML_SAY);
	assert_string_equal(v[0].u.say.voice, "man");
	assert_string_equal(v[0].u.say.language, "en-US");
	assert_int_equal(v[0].u.say.loop, 1);
	assert_int_equal(v[1].u.play.loop, 1);
	assert_string_equal(v[1].u.play.digits, "");
	assert_int_equal(v[2].u.pause.length, 1);
	const struct twiml_gather *g = &v[3].u.gather;
	assert_string_equal(g->action, "");
	assert_int_equal(g->method, TWIML_POST);
	assert_int_equal(g->timeout, 5);
	assert_int_equal(g->finish_key, '#');
	assert_int_equal(g->num_digits, 0);
	assert_int_equal(g->input, TWIML_INPUT_DTMF);
	assert_int_equal(g->action_on_empty, 0);
	const struct twiml_record *r = &v[4].u.record;
	assert_int_equal(r->timeout, 5);
	assert_int_equal(r->max_length, 3600);
	assert_string_equal(r->finish_keys, "1234567890*#");
	assert_int_equal(r->play_beep, 1);
	assert_int_equal(r->trim, TWIML_TRIM_SILENCE);
	assert_int_equal(r->method, TWIML_POST);
	const struct twiml_dial *d = &v[5].u.dial;
	assert_int_equal(d->timeout, 30);
	assert_int_equal(d->time_limit, 14400);
	assert_int_equal(d->hangup_on_star, 0);
	assert_int_equal(d->answer_on_bridge, 0);
	assert_int_equal(d->sequential, 0);
	assert_int_equal(d->record, TWIML_REC_NONE);
	assert_int_equal(d->trim, TWIML_TRIM_NONE);
	/* a plain-text number becomes a <Number> */
	assert_int_equal(v[5].n_kids, 1);
	assert_int_equal(p->kids[v[5].kid].kind, TWIML_NUMBER);
	assert_string_equal(p->kids[v[5].kid].text, "+15551234567");
	assert_int_equal(v[6].u.redirect.method, TWIML_POST);
	assert_string_equal(v[6].text, "next.xml");
	assert_int_equal(v[7].u.reject.reason, TWIML_REJECT_REJECTED);
	assert_int_equal(v[8].kind, TWIML_HANGUP);
	assert_int_equal(p->n_warn, 0);
	twiml_prog_free(p);
}

static void t_attributes(void **st)
{
	struct twiml_prog *p = parse_ok(
	    "<Response>"
	    "<Say voice=\"woman\" language=\"fr-FR\" loop=\"3\">Bonjour</Say>"
	    "<Play loop=\"0\" digits=\"ww12#\"/>"
	    "<Gather action=\" /g \" method=\"get\" timeout=\"9\" numDigits=\"4\" finishOnKey=\"\""
	    " input=\"dtmf speech\" actionOnEmptyResult=\"true\"/>"
	    "<Record trim=\"do-not-trim\" playBeep=\"false\" maxLength=\"20\" finishOnKey=\"*\"/>"
	    "<Dial sequential=\"true\" answerOnBridge=\"true\" record=\"record-from-answer-dual\""
	    " hangupOnStar=\"true\" callerId=\"+15550001111\" timeLimit=\"60\" timeout=\"10\"/>"
	    "<Reject reason=\"busy\"/>"
	    "<Record finishOnKey=\"\"/><Dial record=\"true\"/>"
	    "</Response>");
	const struct twiml_node *v = p->verbs;
	assert_string_equal(v[0].u.say.voice, "woman");
	assert_string_equal(v[0].u.say.language, "fr-FR");
	assert_int_equal(v[0].u.say.loop, 3);
	assert_int_equal(v[1].u.play.loop, 0);
	assert_string_equal(v[1].u.play.digits, "ww12#");
	const struct twiml_gather *g = &v[2].u.gather;
	assert_string_equal(g->action, "/g");
	assert_int_equal(g->method, TWIML_GET);
	assert_int_equal(g->timeout, 9);
	assert_int_equal(g->num_digits, 4);
	assert_int_equal(g->finish_key, 0);
	assert_int_equal(g->input, TWIML_INPUT_DTMF | TWIML_INPUT_SPEECH);
	assert_int_equal(g->action_on_empty, 1);
	assert_int_equal(v[3].u.record.trim, TWIML_TRIM_NONE);
	assert_int_equal(v[3].u.record.play_beep, 0);
	assert_int_equal(v[3].u.record.max_length, 20);
	assert_string_equal(v[3].u.record.finish_keys, "*");
	const struct twiml_dial *d = &v[4].u.dial;
	assert_int_equal(d->sequential, 1);
	assert_int_equal(d->answer_on_bridge, 1);
	assert_int_equal(d->record, TWIML_REC_FROM_ANSWER_DUAL);
	assert_int_equal(d->hangup_on_star, 1);
	assert_string_equal(d->caller_id, "+15550001111");
	assert_int_equal(d->time_limit, 60);
	assert_int_equal(d->timeout, 10);
	assert_int_equal(v[5].u.reject.reason, TWIML_REJECT_BUSY);
	assert_string_equal(v[6].u.record.finish_keys, "");
	assert_int_equal(v[7].u.dial.record, TWIML_REC_FROM_ANSWER);
	assert_int_equal(p->n_warn, 0);
	twiml_prog_free(p);
}

static void t_bad_values(void **st)
{
	struct twiml_prog *p =
	    parse_ok("<Response>"
	             "<Gather timeout=\"soon\" finishOnKey=\"ab\" numDigits=\"-1\" method=\"PUT\"/>"
	             "<Dial timeout=\"2\" timeLimit=\"99999\" hangupOnStar=\"yes\"/>"
	             "<Say loop=\"x\">a</Say><Play digits=\"12x\">u</Play><Pause length=\"1.5\"/>"
	             "<Record maxLength=\"0\" finishOnKey=\"a\"/>"
	             "</Response>");
	const struct twiml_node *v = p->verbs;
	/* unparsable → default; out of range → clamped; each warns with Twilio's code */
	assert_int_equal(v[0].u.gather.timeout, 5);
	assert_int_equal(v[0].u.gather.finish_key, '#');
	assert_int_equal(v[0].u.gather.num_digits, 0);
	assert_int_equal(v[0].u.gather.method, TWIML_POST);
	assert_true(has_warn(p, 13313));
	assert_true(has_warn(p, 13310));
	assert_true(has_warn(p, 13314));
	assert_true(has_warn(p, 13312));
	assert_int_equal(v[1].u.dial.timeout, 5);
	assert_int_equal(v[1].u.dial.time_limit, 14400);
	assert_int_equal(v[1].u.dial.hangup_on_star, 0);
	assert_true(has_warn(p, 13212));
	assert_true(has_warn(p, 13216));
	assert_true(has_warn(p, 13213));
	assert_int_equal(v[2].u.say.loop, 1);
	assert_string_equal(v[3].u.play.digits, "");
	assert_int_equal(v[4].u.pause.length, 1);
	assert_true(has_warn(p, 13910));
	assert_int_equal(v[5].u.record.max_length, 1);
	assert_string_equal(v[5].u.record.finish_keys, "1234567890*#");
	assert_true(has_warn(p, 13612));
	assert_true(has_warn(p, 13613));
	twiml_prog_free(p);
}

static void t_text_trim_entities_comments(void **st)
{
	struct twiml_prog *p =
	    parse_ok("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	             "<!-- leading comment -->\n"
	             "<Response>\n"
	             "  <!-- a comment between verbs -->\n"
	             "  <Say>\n     Tom &amp; Jerry &lt;3 &#233;t&#xE9;  \n  </Say>\n"
	             "  <Play>\n\t http://example.com/a.wav?x=1&amp;y=2 \n</Play>\n"
	             "  <Redirect method=\"GET\">  <![CDATA[/next?a=1&b=2]]>  </Redirect>\n"
	             "</Response>\n");
	assert_int_equal(p->n_verbs, 3);
	assert_string_equal(p->verbs[0].text, "Tom & Jerry <3 \xc3\xa9t\xc3\xa9");
	assert_string_equal(p->verbs[1].text, "http://example.com/a.wav?x=1&y=2");
	assert_string_equal(p->verbs[2].text, "/next?a=1&b=2");
	assert_int_equal(p->verbs[2].u.redirect.method, TWIML_GET);
	assert_int_equal(p->verbs[0].line, 5);
	twiml_prog_free(p);
}

static void t_ssml(void **st)
{
	struct twiml_prog *p =
	    parse_ok("<Response><Say voice=\"Polly.Joanna\">Hello <break time=\"1s\"/>world."
	             "<prosody rate=\"slow\">Slowly <emphasis>now</emphasis></prosody>"
	             "<s>One</s><s>Two</s> <sub alias=\"World Wide Web\">WWW</sub>"
	             "<say-as interpret-as=\"digits\">123</say-as></Say></Response>");
	assert_string_equal(p->verbs[0].text, "Hello world. Slowly now One Two World Wide Web 123");
	assert_string_equal(p->verbs[0].u.say.voice, "Polly.Joanna");
	twiml_prog_free(p);
}

static void t_nested(void **st)
{
	struct twiml_prog *p = parse_ok(
	    "<Response><Gather numDigits=\"1\" action=\"/menu\">"
	    "<Say loop=\"2\">Press one</Say><Pause length=\"2\"/><Play>http://x/m.wav</Play>"
	    "<Dial>123</Dial>"
	    "</Gather>"
	    "<Dial callerId=\"+1555\"><Number sendDigits=\"ww1\" "
	    "url=\"/whisper\">+15550002222</Number>"
	    "<Sip username=\"u\" "
	    "password=\"p\">sip:bob@192.0.2.9;transport=udp?X-Foo=bar&amp;X-Tag=a%20b</Sip>"
	    "<Client>alice</Client><Queue url=\"/q\">support</Queue><Conference>room</Conference>"
	    "<Bogus/></Dial></Response>");
	const struct twiml_node *g = &p->verbs[0];
	assert_int_equal(g->n_kids, 3); /* <Dial> inside Gather is ignored with 13320 */
	assert_true(has_warn(p, 13320));
	const struct twiml_node *k = &p->kids[g->kid];
	assert_int_equal(k[0].kind, TWIML_SAY);
	assert_string_equal(k[0].text, "Press one");
	assert_int_equal(k[0].u.say.loop, 2);
	assert_int_equal(k[1].kind, TWIML_PAUSE);
	assert_int_equal(k[1].u.pause.length, 2);
	assert_int_equal(k[2].kind, TWIML_PLAY);
	const struct twiml_node *d = &p->verbs[1];
	assert_int_equal(d->n_kids, 5);
	k = &p->kids[d->kid];
	assert_int_equal(k[0].kind, TWIML_NUMBER);
	assert_string_equal(k[0].text, "+15550002222");
	assert_string_equal(k[0].u.number.send_digits, "ww1");
	assert_string_equal(k[0].u.number.url, "/whisper");
	assert_int_equal(k[1].kind, TWIML_SIP);
	assert_string_equal(k[1].text, "sip:bob@192.0.2.9;transport=udp");
	assert_int_equal(k[1].u.sip.n_hdrs, 2);
	assert_string_equal(k[1].u.sip.hdrs[0].name, "X-Foo");
	assert_string_equal(k[1].u.sip.hdrs[0].value, "bar");
	assert_string_equal(k[1].u.sip.hdrs[1].name, "X-Tag");
	assert_string_equal(k[1].u.sip.hdrs[1].value, "a b");
	assert_string_equal(k[1].u.sip.username, "u");
	assert_int_equal(k[2].kind, TWIML_CLIENT);
	assert_string_equal(k[2].text, "alice");
	assert_int_equal(k[3].kind, TWIML_QUEUE);
	assert_string_equal(k[3].u.queue.url, "/q");
	assert_int_equal(k[4].kind, TWIML_CONFERENCE);
	assert_string_equal(k[4].text, "room");
	assert_true(has_warn(p, TWIML_WARN_SCHEMA)); /* <Bogus/> */
	twiml_prog_free(p);
}

static void t_errors(void **st)
{
	const char *unk = "<Response><Say>a</Say><Dance/></Response>";
	assert_int_equal(parse_err(unk, strlen(unk)), TWIML_ERR_PARSE);
	const char *lower = "<Response><say>a</say></Response>"; /* verbs are case-sensitive */
	assert_int_equal(parse_err(lower, strlen(lower)), TWIML_ERR_PARSE);
	const char *noroot = "<Reply><Say>a</Say></Reply>";
	assert_int_equal(parse_err(noroot, strlen(noroot)), TWIML_ERR_PARSE);
	const char *bad = "<Response><Say>a</Response>";
	assert_int_equal(parse_err(bad, strlen(bad)), TWIML_ERR_PARSE);
	assert_int_equal(parse_err("", 0), TWIML_ERR_PARSE);
	const char *junk = "hello";
	assert_int_equal(parse_err(junk, strlen(junk)), TWIML_ERR_PARSE);
	const char *noun = "<Response><Number>+1</Number></Response>";
	assert_int_equal(parse_err(noun, strlen(noun)), TWIML_ERR_PARSE);
	/* entity definitions (billion laughs) are refused with the DTD */
	const char *dtd = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"aaaa\">"
	                  "<!ENTITY b \"&a;&a;&a;\">]><Response><Say>&b;</Say></Response>";
	assert_int_equal(parse_err(dtd, strlen(dtd)), TWIML_ERR_PARSE);
	const char *undef = "<Response><Say>&nbsp;</Say></Response>"; /* not an XML entity */
	assert_int_equal(parse_err(undef, strlen(undef)), TWIML_ERR_PARSE);
	const char *nul = "<Response><Say>a\0b</Say></Response>";
	assert_int_equal(parse_err(nul, 35), TWIML_ERR_PARSE);
}

static void t_limits(void **st)
{
	/* over 64 KB: 11750 before any parsing */
	size_t n = TWIML_MAX_DOC + 1;
	char *big = malloc(n + 1);
	memset(big, ' ', n);
	memcpy(big, "<Response>", 10);
	memcpy(big + n - 11, "</Response>", 11);
	big[n] = 0;
	assert_int_equal(parse_err(big, n), TWIML_ERR_TOO_BIG);
	/* exactly 64 KB parses */
	memcpy(big + TWIML_MAX_DOC - 11, "</Response>", 11);
	struct twiml_prog *p = NULL;
	assert_int_equal(twiml_parse(big, TWIML_MAX_DOC, &p, NULL), 0);
	twiml_prog_free(p);
	free(big);
	/* too many verbs */
	char *many = malloc(20 * (TWIML_MAX_VERBS + 2) + 32);
	size_t o = (size_t)sprintf(many, "<Response>");
	for (unsigned i = 0; i <= TWIML_MAX_VERBS; i++)
		o += (size_t)sprintf(many + o, "<Hangup/>");
	o += (size_t)sprintf(many + o, "</Response>");
	assert_int_equal(parse_err(many, o), TWIML_ERR_PARSE);
	free(many);
	/* a text noun over the limit */
	char *longsay = malloc(TWIML_MAX_TEXT + 64);
	o = (size_t)sprintf(longsay, "<Response><Say>");
	memset(longsay + o, 'a', TWIML_MAX_TEXT + 1);
	o += TWIML_MAX_TEXT + 1;
	o += (size_t)sprintf(longsay + o, "</Say></Response>");
	assert_int_equal(parse_err(longsay, o), TWIML_ERR_PARSE);
	free(longsay);
	/* SSML nested too deep */
	char deep[1024];
	o = (size_t)sprintf(deep, "<Response><Say>");
	for (unsigned i = 0; i < TWIML_MAX_DEPTH + 2; i++)
		o += (size_t)sprintf(deep + o, "<s>");
	o += (size_t)sprintf(deep + o, "x");
	for (unsigned i = 0; i < TWIML_MAX_DEPTH + 2; i++)
		o += (size_t)sprintf(deep + o, "</s>");
	o += (size_t)sprintf(deep + o, "</Say></Response>");
	assert_int_equal(parse_err(deep, o), TWIML_ERR_PARSE);
	/* more than 10 Dial nouns: the rest ignored with a warning */
	char dial[2048];
	o = (size_t)sprintf(dial, "<Response><Dial>");
	for (unsigned i = 0; i < 12; i++)
		o += (size_t)sprintf(dial + o, "<Number>+1555000%04u</Number>", i);
	o += (size_t)sprintf(dial + o, "</Dial></Response>");
	p = NULL;
	assert_int_equal(twiml_parse(dial, o, &p, NULL), 0);
	assert_int_equal(p->verbs[0].n_kids, TWIML_MAX_DIAL_NOUNS);
	assert_true(has_warn(p, TWIML_WARN_SCHEMA));
	twiml_prog_free(p);
}

static void t_empty_response(void **st)
{
	struct twiml_prog *p = parse_ok("<Response/>");
	assert_int_equal(p->n_verbs, 0);
	twiml_prog_free(p);
	p = parse_ok("<Response>stray text<Hangup/></Response>");
	assert_int_equal(p->n_verbs, 1);
	assert_true(has_warn(p, TWIML_WARN_SCHEMA));
	twiml_prog_free(p);
}

static void t_attr_entities_encoding(void **st)
{
	/* entities in attribute values; a Latin-1 document is converted to UTF-8 */
	struct twiml_prog *p = parse_ok("<Response><Gather action=\"/g?a=1&amp;b=&quot;2&quot;\"/>"
	                                "</Response>");
	assert_string_equal(p->verbs[0].u.gather.action, "/g?a=1&b=\"2\"");
	twiml_prog_free(p);
	p = parse_ok("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><Response><Say>caf\xe9</Say>"
	             "</Response>");
	assert_string_equal(p->verbs[0].text, "caf\xc3\xa9");
	twiml_prog_free(p);
	/* a UTF-8 byte order mark is accepted */
	p = parse_ok("\xef\xbb\xbf<Response><Hangup/></Response>");
	assert_int_equal(p->verbs[0].kind, TWIML_HANGUP);
	twiml_prog_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(t_defaults),       cmocka_unit_test(t_attributes),
	    cmocka_unit_test(t_bad_values),     cmocka_unit_test(t_text_trim_entities_comments),
	    cmocka_unit_test(t_ssml),           cmocka_unit_test(t_nested),
	    cmocka_unit_test(t_errors),         cmocka_unit_test(t_limits),
	    cmocka_unit_test(t_empty_response), cmocka_unit_test(t_attr_entities_encoding),
	};
	return cmocka_run_group_tests_name("twiml_parse", tests, NULL, NULL);
}
