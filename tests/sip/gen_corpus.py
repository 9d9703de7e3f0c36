#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# gen_corpus.py — writes tests/sip/corpus/<name>.sip (+ .expect): our own torture messages after RFC 4475 / RFC 5118.
#
# Each case reproduces the intent of the RFC case it is named after, in our own words and
# addresses (example.com, 192.0.2.0/24, 2001:db8::/32). Text is written with "\n" and stored with
# CRLF line ends unless the case says raw. "{CL}" is replaced by the body length (the bytes
# after the first empty line). The .expect sidecar holds key=value lines checked by
# tests/unit/sip/test_sip_corpus.c:
#   parse=ok|error            sip_msg_parse() returned 0 or not
#   answer=ok|none|<code>     sip_validate(): accept, drop without answer, or the status to answer
#   plus optional fields (call_id, via_count, method, status, body_len, unsupported, ruri_*, via_*,
#   from_tag, to_tag, contact_*, reason, mf_check, sdp_*).
# Run: python3 tests/sip/gen_corpus.py  (rewrites the corpus directory's .sip/.expect files)

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus")

SDP = (
    "v=0\n"
    "o=carol 2890844526 2890844527 IN IP4 192.0.2.10\n"
    "s=-\n"
    "c=IN IP4 192.0.2.10\n"
    "t=0 0\n"
    "m=audio 49170 RTP/AVP 0 8 101\n"
    "a=rtpmap:0 PCMU/8000\n"
    "a=rtpmap:8 PCMA/8000\n"
    "a=rtpmap:101 telephone-event/8000\n"
    "a=fmtp:101 0-16\n"
    "a=ptime:20\n"
    "a=sendrecv\n"
)

CASES = []


def case(name, text, expect, raw=False, body=None):
    """text: message with \\n line ends (CRLF on disk unless raw); body: bytes appended as is."""
    if isinstance(text, str):
        data = text.encode("utf-8")
    else:
        data = text
    if not raw:
        data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    if body is not None:
        data += body
    if b"{CL}" in data:
        sep = data.find(b"\r\n\r\n")
        sep = sep + 4 if sep >= 0 else data.find(b"\n\n") + 2
        data = data.replace(b"{CL}", str(len(data) - sep - 0).encode(), 1)
        # the replacement changed the head length, not the body: recompute to be safe
        sep = data.find(b"\r\n\r\n")
        sep = sep + 4 if sep >= 0 else data.find(b"\n\n") + 2
    CASES.append((name, data, expect))


# ---------------------------------------------------------------- RFC 4475 §3.1.1 valid

case("wsinv",
     "INVITE sip:vivian@chair.example.com;unknownparam SIP/2.0\n"
     "TO :\n"
     " sip:vivian@chair.example.com ;   tag    = 1918181833n\n"
     "from   : \"J Rosenberg \\\\\\\"\"       <sip:jrosen@example.com>\n"
     "  ;\n"
     "  tag = 98asjd8\n"
     "MaX-fOrWaRdS: 0068\n"
     "Call-ID: wsinv.ndaksdj@192.0.2.1\n"
     "Content-Length   : {CL}\n"
     "cseq: 0009\n"
     "  INVITE\n"
     "Via  : SIP  /   2.0\n"
     " /UDP\n"
     "    192.0.2.2;branch=390skdjuw\n"
     "s :\n"
     "NewFangledHeader:   newfangled value\n"
     " continued newfangled value\n"
     "UnknownHeaderWithUnusualValue: ;;,,;;,;\n"
     "Content-Type: application/sdp\n"
     "Route:\n"
     " <sip:services.example.com;lr;unknownwith=value;unknown-no-value>\n"
     "v:  SIP  / 2.0  / TCP     spindle.example.com   ;\n"
     "  branch  =   z9hG4bK9ikj8  ,\n"
     " SIP  /    2.0   / UDP  192.168.255.111   ; branch=\n"
     " z9hG4bK30239\n"
     "m:\"Quoted string \\\"\\\"\" <sip:jdrosen@example.com> ; newparam =\n"
     "      newvalue ;\n"
     "  secondparam ; q = 0.33\n"
     "\n" + SDP,
     # the top Via has a branch without the magic cookie: we need a RFC 3261 branch
     "parse=ok\nanswer=400\nreason=Missing Or Bad Via Branch\nvia_count=3\n"
     "call_id=wsinv.ndaksdj@192.0.2.1\nto_tag=1918181833n\nfrom_tag=98asjd8\n"
     "contact_count=1\n")

case("wsinv2",
     "INVITE sip:vivian@chair.example.com;unknownparam SIP/2.0\n"
     "TO :\n"
     " sip:vivian@chair.example.com ;   tag    = 1918181833n\n"
     "from   : \"J Rosenberg \\\\\\\"\"       <sip:jrosen@example.com>\n"
     "  ;\n"
     "  tag = 98asjd8\n"
     "MaX-fOrWaRdS: 0068\n"
     "Call-ID: wsinv2.ndaksdj@192.0.2.1\n"
     "Content-Length   : {CL}\n"
     "cseq: 0009\n"
     "  INVITE\n"
     "v:  SIP  / 2.0  / TCP     spindle.example.com   ;\n"
     "  branch  =   z9hG4bK9ikj8  ,\n"
     " SIP  /    2.0   / UDP  192.168.255.111   ; branch=\n"
     " z9hG4bK30239\n"
     "s :\n"
     "NewFangledHeader:   newfangled value\n"
     " continued newfangled value\n"
     "UnknownHeaderWithUnusualValue: ;;,,;;,;\n"
     "Content-Type: application/sdp\n"
     "Route:\n"
     " <sip:services.example.com;lr;unknownwith=value;unknown-no-value>\n"
     "m:\"Quoted string \\\"\\\"\" <sip:jdrosen@example.com> ; newparam =\n"
     "      newvalue ;\n"
     "  secondparam ; q = 0.33, \"Doe, John\" <sip:jd@example.com>\n"
     "\n" + SDP,
     "parse=ok\nanswer=ok\nvia_count=2\ncall_id=wsinv2.ndaksdj@192.0.2.1\n"
     "via_host=spindle.example.com\nvia_branch=z9hG4bK9ikj8\nvia_transport=TCP\n"
     "to_tag=1918181833n\nfrom_tag=98asjd8\ncontact_count=2\n"
     "sdp=ok\nsdp_codec=0\nsdp_dtmf=101\n")

case("intmeth",
     "!interesting-Method0123456789_*+`.%indeed'~ sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com SIP/2.0\n"
     "Via: SIP/2.0/TCP host1.example.com;branch=z9hG4bK-.!%66*_+`'~\n"
     "To: \"BEL:\\\x07 NUL:\\\x00 DEL:\\\x7f\" <sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*@example.com>\n"
     "From: token1~` token2'+_ token3*%!.- <sip:mundane@example.com>;fromParam''~+*_!.-%=\"\xd1\x80\xd0\xb0\xd0\xb1\xd0\xbe\xd1\x82\xd0\xb0\xd1\x8e\xd1\x89\xd0\xb8\xd0\xb9\";tag=_token~1'+`*%!-.\n"
     "Call-ID: intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{\n"
     "CSeq: 139122385 !interesting-Method0123456789_*+`.%indeed'~\n"
     "Max-Forwards: 255\n"
     "extensionHeader-!.%*+_`'~:\xef\xbb\xbf\xe5\xa4\xa7\xe5\x81\x9c\xe9\x9b\xbb\n"
     "Content-Length: 0\n"
     "\n",
     "parse=ok\nanswer=501\nmethod=!interesting-Method0123456789_*+`.%indeed'~\n"
     "from_tag=_token~1'+`*%!-.\n")

case("esc01",
     "INVITE sip:sips%3Auser%40example.com@example.net SIP/2.0\n"
     "To: sip:%75se%72@example.com\n"
     "From: <sip:I%20have%20spaces@example.net>;tag=938\n"
     "Max-Forwards: 87\n"
     "i: esc01.239409asdfakjkn23onasd0-3234\n"
     "CSeq: 234234 INVITE\n"
     "Via: SIP/2.0/UDP host5.example.net;branch=z9hG4bKkdjuw\n"
     "C: application/sdp\n"
     "Contact:\n"
     "  <sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31>\n"
     "Content-Length: {CL}\n"
     "\n" + SDP,
     "parse=ok\nanswer=ok\nruri_user=sips%3Auser%40example.com\nruri_user_unescaped=sips:user@example.com\n"
     "ruri_host=example.net\ncall_id=esc01.239409asdfakjkn23onasd0-3234\n")

case("escnull",
     "REGISTER sip:example.com SIP/2.0\n"
     "To: sip:null-%00-null@example.com\n"
     "From: sip:null-%00-null@example.com;tag=839923423\n"
     "Max-Forwards: 70\n"
     "Call-ID: escnull.39203ndfvkjdasfkq3w4otrq0adsfdfnavd\n"
     "CSeq: 14398234 REGISTER\n"
     "Via: SIP/2.0/UDP host5.example.com;branch=z9hG4bKkdjuw\n"
     "Contact: <sip:%00@host5.example.com>\n"
     "Contact: <sip:%00%00@host5.example.com>\n"
     "L:0\n"
     "\n",
     "parse=ok\nanswer=ok\ncontact_count=2\nfrom_tag=839923423\n")

case("esc02",
     "RE%47IST%45R sip:registrar.example.com SIP/2.0\n"
     "To: \"%Z%45\" <sip:resource@example.com>\n"
     "From: \"%Z%45\" <sip:resource@example.com>;tag=f232jadfj23\n"
     "Call-ID: esc02.asdfnqwo34rq23i34jrjasdcnl23nrlknsdf\n"
     "Via: SIP/2.0/TCP host.example.com;branch=z9hG4bK209%fzsnel234\n"
     "CSeq: 29344 RE%47IST%45R\n"
     "Max-Forwards: 70\n"
     "Contact: <sip:alias1@host1.example.com>\n"
     "C%6Fntact: <sip:alias2@host2.example.com>\n"
     "Contact: <sip:alias3@host3.example.com>\n"
     "l: 0\n"
     "\n",
     "parse=ok\nanswer=501\nmethod=RE%47IST%45R\ncontact_count=2\n")

case("lwsdisp",
     "OPTIONS sip:user@example.com SIP/2.0\n"
     "To: sip:user@example.com\n"
     "From: caller<sip:caller@example.com>;tag=323\n"
     "Max-Forwards: 70\n"
     "Call-ID: lwsdisp.1234abcd@funky.example.com\n"
     "CSeq: 60 OPTIONS\n"
     "Via: SIP/2.0/UDP funky.example.com;branch=z9hG4bKkdjuw\n"
     "l: 0\n"
     "\n",
     "parse=ok\nanswer=ok\nfrom_display=caller\nfrom_tag=323\n")

longname = "I have a user name of " + "extreme " * 40 + "proportion"
longparam = "unknownparam=" + "a" * 300
vias = "".join("Via: SIP/2.0/TCP sip%d.example.com;branch=z9hG4bK%dlong\n" % (33 - i, i)
               for i in range(20))
case("longreq",
     "INVITE sip:user@example.com SIP/2.0\n"
     "To: \"%s\" <sip:user@example.com:6000;%s>\n" % (longname, longparam) +
     "From: sip:caller@example.net;tag=" + "12" * 100 + "\n"
     "Call-ID: longreq.one" + "really" * 40 + "longcallid\n"
     "CSeq: 3882340 INVITE\n"
     "Unknown-" + "Long" * 25 + "-Name: unknown-" + "long" * 25 + "-value; unknown-" + "long" * 20 + "-parameter-name = unknown-" + "long" * 20 + "-parameter-value\n"
     + vias +
     "Max-Forwards: 70\n"
     "Contact: \"%s\" <sip:amazinglylongcallername@host5.example.net>\n" % longname +
     "Content-Type: application/sdp\n"
     "l: {CL}\n"
     "\n" + SDP,
     "parse=ok\nanswer=ok\nvia_count=20\nvia_host=sip33.example.com\n")

case("dblreq",
     "REGISTER sip:example.com SIP/2.0\n"
     "To: sip:j.user@example.com\n"
     "From: sip:j.user@example.com;tag=43251j3j324\n"
     "Max-Forwards: 8\n"
     "I: dblreq.0ha0isndaksdj99sdfafnl3lk233412\n"
     "Contact: sip:j.user@host.example.com\n"
     "CSeq: 8 REGISTER\n"
     "Via: SIP/2.0/UDP 192.0.2.125;branch=z9hG4bKkdjuw23492\n"
     "Content-Length: 0\n"
     "\n"
     "INVITE sip:joe@example.com SIP/2.0\n"
     "t: sip:joe@example.com\n"
     "From: sip:caller@example.net;tag=141334\n"
     "Max-Forwards: 8\n"
     "Call-ID: dblreq.0ha0isnda977644900765@192.0.2.15\n"
     "CSeq: 8 INVITE\n"
     "Via: SIP/2.0/UDP 192.0.2.15;branch=z9hG4bKkdjuw380234\n"
     "Content-Type: application/sdp\n"
     "Content-Length: 150\n"
     "\n" + SDP,
     "parse=ok\nanswer=ok\nmethod=REGISTER\nbody_len=0\nvia_count=1\n"
     "call_id=dblreq.0ha0isndaksdj99sdfafnl3lk233412\n")

case("semiuri",
     "OPTIONS sip:user;par=u%40example.net@example.com SIP/2.0\n"
     "To: sip:j_user@example.com\n"
     "From: sip:caller@example.org;tag=33242\n"
     "Max-Forwards: 3\n"
     "Call-ID: semiuri.0ha0isndaksdj\n"
     "CSeq: 8 OPTIONS\n"
     "Accept: application/sdp, application/pkcs7-mime,\n"
     "        multipart/mixed, multipart/signed,\n"
     "        message/sip, message/sipfrag\n"
     "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKkdjuw\n"
     "l: 0\n"
     "\n",
     "parse=ok\nanswer=ok\nruri_user=user;par=u%40example.net\nruri_host=example.com\n")

case("transports",
     "OPTIONS sip:user@example.com SIP/2.0\n"
     "To: sip:user@example.com\n"
     "From: <sip:caller@example.com>;tag=323\n"
     "Max-Forwards: 70\n"
     "Call-ID: transports.kijh4akdnaqjkwendsasfdj\n"
     "Accept: application/sdp\n"
     "CSeq: 60 OPTIONS\n"
     "Via: SIP/2.0/UDP t1.example.com;branch=z9hG4bKkdjuw\n"
     "Via: SIP/2.0/SCTP t2.example.com;branch=z9hG4bKklasjdhf\n"
     "Via: SIP/2.0/TLS t3.example.com;branch=z9hG4bK2980unddj\n"
     "Via: SIP/2.0/UNKNOWN t4.example.com;branch=z9hG4bKasd0f3en\n"
     "Via: SIP/2.0/TCP t5.example.com;branch=z9hG4bK0a9idfnee\n"
     "l: 0\n"
     "\n",
     "parse=ok\nanswer=ok\nvia_count=5\nvia_transport=UDP\n")

mpart_body = (
    b"--7a9cbec02ceef655\r\n"
    b"Content-Type: application/sdp\r\n"
    b"Content-Transfer-Encoding: 8bit\r\n\r\n" + SDP.replace("\n", "\r\n").encode() +
    b"\r\n--7a9cbec02ceef655\r\n"
    b"Content-Type: image/gif\r\n"
    b"Content-Transfer-Encoding: binary\r\n\r\n"
    b"GIF89a\x01\x00\x01\x00\x00\x00\x00\x00\x00\xff\xff\xff\x21\xf9\x04\x01\x00\x00\x00\x00\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00\x3b"
    b"\r\n--7a9cbec02ceef655--\r\n")
case("mpart01",
     "MESSAGE sip:kumiko@example.org SIP/2.0\n"
     "Via: SIP/2.0/UDP 192.0.2.5;branch=z9hG4bK03djaoe1\n"
     "To: <sip:kumiko@example.org>\n"
     "From: <sip:fujiko@example.net>;tag=wkcr930jsx\n"
     "Call-ID: mpart01.24jdsa30@192.0.2.5\n"
     "CSeq: 1 MESSAGE\n"
     "Max-Forwards: 70\n"
     "Content-Type: multipart/mixed;boundary=7a9cbec02ceef655\n"
     "Content-Length: {CL}\n"
     "\n", body=mpart_body,
     expect="parse=ok\nanswer=415\nbody_len=%d\n" % len(mpart_body))

case("unreason",
     "SIP/2.0 200 = 2**3 * 5**2 \xd0\xbd\xd0\xbe \xd1\x81\xd1\x82\xd0\xbe \xd0\xb4\xd0\xb5\xd0\xb2\xd1\x8f\xd0\xbd\xd0\xbe\xd1\x81\xd1\x82\xd0\xbe \xd0\xb4\xd0\xb5\xd0\xb2\xd1\x8f\xd1\x82\xd1\x8c - \xd0\xbf\xd1\x80\xd0\xbe\xd1\x81\xd1\x82\xd0\xbe\xd0\xb5\n"
     "Via: SIP/2.0/UDP 192.0.2.198;branch=z9hG4bK1324923\n"
     "Call-ID: unreason.1234ksdfak3j2erwedfsASdf\n"
     "CSeq: 35 INVITE\n"
     "From: sip:user@example.com;tag=11141343\n"
     "To: sip:user@example.edu;tag=2229\n"
     "Content-Length: {CL}\n"
     "Content-Type: application/sdp\n"
     "Contact: <sip:user@host198.example.com>\n"
     "\n" + SDP,
     "parse=ok\nanswer=ok\nstatus=200\nto_tag=2229\n")

case("noreason",
     "SIP/2.0 100 \n"
     "Via: SIP/2.0/UDP 192.0.2.105;branch=z9hG4bK2398ndaoe\n"
     "Call-ID: noreason.asndj203insk2@192.0.2.105\n"
     "CSeq: 35 INVITE\n"
     "From: <sip:user@example.com>;tag=39ansfi3\n"
     "To: <sip:user@example.edu>;tag=902jndnke3\n"
     "Content-Length: 0\n"
     "Contact: <sip:user@host105.example.com>\n"
     "\n",
     "parse=ok\nanswer=ok\nstatus=100\n")

case("noreason-nosp",
     "SIP/2.0 180\n"
     "Via: SIP/2.0/UDP 192.0.2.105;branch=z9hG4bK2398ndaoe\n"
     "Call-ID: noreason2.asndj203insk2@192.0.2.105\n"
     "CSeq: 35 INVITE\n"
     "From: <sip:user@example.com>;tag=39ansfi3\n"
     "To: <sip:user@example.edu>;tag=902jndnke3\n"
     "Content-Length: 0\n"
     "\n",
     "parse=ok\nanswer=ok\nstatus=180\n")

# ---------------------------------------------------------------- RFC 4475 §3.1.2 invalid

case("badinv01",
     "INVITE sip:user@example.com SIP/2.0\n"
     "To: sip:j.user@example.com\n"
     "From: sip:caller@example.net;tag=134161461246\n"
     "Max-Forwards: 7\n"
     "Call-ID: badinv01.0ha0isndaksdjasdf3234nas\n"
     "CSeq: 8 INVITE\n"
     "Via: SIP/2.0/UDP 192.0.2.15;branch=z9hG4bKa1;;,;,,\n"
     "Contact: \"Joe\" <sip:joe@example.org>;;;;\n"
     "Content-Length: {CL}\n"
     "Content-Type: application/sdp\n"
     "\n" + SDP,
     "parse=ok\nanswer=400\nreason=Malformed Via\n")

case("clerr",
     "INVITE sip:user@example.com SIP/2.0\n"
     "Max-Forwards: 80\n"
     "To: sip:j.user@example.com\n"
     "From: sip:caller@example.net;tag=93942939o2\n"
     "Contact: <sip:caller@hungry.example.net>\n"
     "Call-ID: clerr.0ha0isndaksdjweiafasdk3\n"
     "CSeq: 8 INVITE\n"
     "Via: SIP/2.0/UDP host5.example.com;branch=z9hG4bK-39234-23523\n"
     "Content-Type: application/sdp\n"
     "Content-Length: 9999\n"
     "\n" + SDP,
     "parse=error\nanswer=400\nreason=Content-Length Larger Than Message\n")

case("ncl",
     "INVITE sip:user@example.com SIP/2.0\n"
     "Max-Forwards: 254\n"
     "To: sip:j.user@example.com\n"
     "From: sip:caller@example.net;tag=32394234\n"
     "Call-ID: ncl.0ha0isndaksdj2193423r542w35\n"
     "CSeq: 0 INVITE\n"
     "Via: SIP/2.0/UDP 192.0.2.53;branch=z9hG4bKkdjuw\n"
     "Contact: <sip:caller@example53.example.net>\n"
     "Content-Type: application/sdp\n"
     "Content-Length: -999\n"
     "\n" + SDP,
     "parse=error\nanswer=400\nreason=Malformed Content-Length\n")

case("cl-nonnum",
     "OPTIONS sip:user@example.com SIP/2.0\n"
     "Max-Forwards: 70\n"
     "To: sip:j.user@example.com\n"
     "From: sip:caller@example.net;tag=32394234\n"
     "Call-ID: clnonnum.0ha0isndaksdj\n"
     "CSeq: 1 OPTIONS\n"
     "Via: SIP/2.0/UDP 192.0.2.53;branch=z9hG4bKkdjuw\n"
     "Content-Length: twelve\n"
     "\n",
     "parse=error\nanswer=400\n")

case("scalar02",
     "REGISTER sip:example.com SIP/2.0\n"
     "Via: SIP/2.0/TCP host129.example.com;branch=z9hG4bK342sdfoi3\n"
     "To: <sip:user@example.com>\n"
     "From: <sip:user@example.com>;tag=239232jh3\n"
     "CSeq: 36893488147419103232 REGISTER\n"
     "Call-ID: scalar02.23o0pd9vanlq3wnrlnewofjas9ui32\n"
     "Max-Forwards: 300\n"
     "Expires: 1" + "0" * 40 + "\n"
     "Contact: <sip:user@host129.example.com>\n"
     "  ;expires=280297596632815\n"
     "Content-Length: 18446744073709551617\n"
     "\n",
     "parse=error\nanswer=400\nreason=Malformed Content-Length\n")

case("scalar02b",
     "REGISTER sip:example.com SIP/2.0\n"
     "Via: SIP/2.0/TCP host129.example.com;branch=z9hG4bK342sdfoi3;received=192.0.2.301\n"
     "To: <sip:user@example.com>\n"
     "From: <sip:user@example.com>;tag=239232jh3\n"
     "CSeq: 36893488147419103232 REGISTER\n"
     "Call-ID: scalar02b.23o0pd9vanlq3wnrlnewofjas9ui32\n"
     "Max-Forwards: 300\n"
     "Contact: <sip:user@host129.example.com>\n"
     "Content-Length: 0\n"
     "\n",
     # the Via's received= is no address, but its sent-by is usable: answer 400
     "parse=ok\nanswer=400\nreason=Malformed Via\n")

case("scalar02c",
     "REGISTER sip:example.com SIP/2.0\n"
     "Via: SIP/2.0/TCP host129.example.com;branch=z9hG4bK342sdfoi3\n"
     "To: <sip:user@example.com>\n"
     "From: <sip:user@example.com>;tag=239232jh3\n"
     "CSeq: 36893488147419103232 REGISTER\n"
     "Call-ID: scalar02c.23o0pd9vanlq3wnrlnewofjas9ui32\n"
     "Max-Forwards: 70\n"
     "Content-Length: 0\n"
     "\n",
     "parse=ok\nanswer=400\nreason=Bad CSeq\n")

case("maxfwd-big",
     "OPTIONS sip:example.com SIP/2.0\n"
     "Via: SIP/2.0/UDP host129.example.com;branch=z9hG4bK342sdfoi3\n"
     "To: <sip:user@example.com>\n"
     "From: <sip:user@example.com>;tag=239232jh3\n"
     "CSeq: 1 OPTIONS\n"
     "Call-ID: maxfwd-big.23o0pd9vanlq3wnr\n"
     "Max-Forwards: 300\n"
     "Content-Length: 0\n"
     "\n",
     "parse=ok\nanswer=400\nreason=Bad Max-Forwards\n")

case("scalarlg",
     "SIP/2.0 503 Service Unavailable\n"
     "Via: SIP/2.0/TCP host129.example.com;branch=z9hG4bKzzxdiwo34sw;received=192.0.2.129\n"
     "To: <sip:user@example.com>\n"
     "From: <sip:other@example.net>;tag=2easdjfejw\n"
     "CSeq: 9292394834772304023312 OPTIONS\n"
     "Call-ID: scalarlg.noase0of0234hn2qofoaf0232aewf2394r\n"
     "Retry-After: 949302838503028349304023988\n"
     "Warning: 1812 overture \"In Progress\"\n"
     "Content-Length: 0\n"
     "\n",
     "parse=ok\nanswer=none\nstatus=503\n")

case("quotbal",
     "INVITE sip:user@example.com SIP/2.0\n"
     "To: \"Mr. J. User <sip:j.user@example.com>\n"
     "From: sip:caller@example.net;tag=93334\n"
     "Max-Forwards: 10\n"
     "Call-ID: quotbal.aksdj\n"
     "Contact: <sip:caller@host59.example.net>\n"
     "CSeq: 8 INVITE\n"
     "Via: SIP/2.0/UDP 192.0.2.59:5050;branch=z9hG4bKkdjuw39234\n"
     "Content-Type: application/sdp\n"
     "Content-Length: {CL}\n"
     "\n" + SDP,
     "parse=ok\nanswer=400\nreason=Malformed To\nvia_port=5050\n")

case("ltgtruri",
     "INVITE <sip:user@example.com> SIP/2.0\n"
     "To: sip:user@example.com\n"
     "From: sip:caller@example.net;tag=39291\n"
     "Max-Forwards: 23\n"
     "Call-ID: ltgtruri.1@192.0.2.5\n"
     "CSeq: 1 INVITE\n"
     "Via: SIP/2.0/UDP 192.0.2.5;branch=z9hG4bKkdjuw\n"
     "Contact: <sip:caller@host5.example.net>\n"
     "Content-Type: application/sdp\n"
     "Content-Length: {CL}\n"
     "\n" + SDP,
     "parse=ok\nanswer=400\nreason=Malformed Request-URI\n")

case("lwsruri",
     "INVITE sip:user@example.com; lr SIP/2.0\n"
     "To: sip:user@example.com;tag=3xfe-9921883-z9f\n"
     "From: sip:caller@example.net;tag=231413434\n"
     "Max-Forwards: 5\n"
     "Call-ID: lwsruri.asdfasdoeoi2323-asdfwrn23-asd834rk423\n"
     "CSeq: 2130706432 INVITE\n"
     "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKkdjuw2395\n"
     "Contact: <sip:caller@host1.example.net>\n"
     "Content-Type: application/sdp\n"
     "Content-Length: {CL}\n"
     "\n" + SDP,
     "parse=error\nanswer=400\nreason=Malformed Request-Line\n")

case("lwsstart",
     "INVITE  sip:user@example.com  SIP/2.0\n"
     "Max-Forwards: 8\n"
     "To: sip:user@example.com\n"
     "From: sip:caller@example.net;tag=8814\n"
     "Call-ID: lwsstart.dfknq234oi243099adsdfnawe3@example.com\n"
     "CSeq: 1893884 INVITE\n"
     "Via: SIP/2.0/UDP host1.example.com;branch=z9hG4bKkdjuw3923\n"
     "Contact: <sip:caller@host1.example.net>\n"
     "Content-Type: application/sdp\n"
     "Content-Length: {CL}\n"
     "\n" + SDP,
     "parse=error\nanswer=400\n")

case("trws",
     "OPTIONS sip:remote-target@example.com SIP/2.0  \n"
     "Via: SIP/2.0/TCP host1.example.com;branch=z9hG4bK299342093\n"
     "To: <sip:remote-target@example.com>\n"
     "From: <sip:local-resource@example.com>;tag=329429089\n"
     "Call-ID: trws.oicu34958239neffasdhr2345r\n"
     "Accept: application/sdp\n"
     "CSeq: 238923 OPTIONS\n"
     "Max-Forwards: 70\n"
     "Content-Length: 0\n"
     "\n",
     "parse=error\nanswer=400\n")

case("escruri",
     "INVITE sip:user@example.com?Route=%3Csip:example.com%3E SIP/2.0\n"
     "To: sip:user@example.com\n"
     "From: sip:caller@example.net;tag=341518\n"
     "Max-Forwards: 7\n"
     "Contact: <sip:caller@host39923.example.net>\n"
     "Call-ID: escruri.23940-asdfhj-aje3br-234q098w-fawerh2q-h4n5\n"
     "CSeq: 39234321 INVITE\n"
     "Via: SIP/2.0/UDP host-of-the-hour.example.com;branch=z9hG4bKkdjuw\n"
     "Content-Type: application/sdp\n"
     "Content-Length: {CL}\n"
     "\n" + SDP,
     "parse=ok\nanswer=400\nreason=Headers Not Allowed In Request-URI\n")

case("baddate",
     "INVITE sip:user@example.com SIP/2.0\n"
     "To: sip:user@example.com\n"
     "From: sip:caller@example.net;tag=2234923\n"
     "Max-Forwards: 70\n"
     "Call-ID: baddate.239423mnsadf3j23lj42--sedfnm234\n"
     "CSeq: 1392934 INVITE\n"
     "Via: SIP/2.0/UDP host.example.com;branch=z9hG4bKkdjuw\n"
     "Date: Fri, 01 Jan 2010 16:00:00 EST\n"
     "Contact: <sip:caller@host5.example.net>\n"
     "Content-Type: application/sdp\n"
     "Content-Length: {CL}\n"
     "\n" + SDP,
     "parse=ok\nanswer=ok\n")

case("regbadct",
     "REGISTER sip:example.com SIP/2.0\n"
     "To: sip:user@example.com\n"
     "From: sip:user@example.com;tag=998332\n"
     "Max-Forwards: 70\n"
     "Call-ID: regbadct.k345asrl3fdbv@10.0.0.1\n"
     "CSeq: 1 REGISTER\n"
     "Via: SIP/2.0/UDP 135.180.130.133:5060;branch=z9hG4bKkdjuw\n"
     "Contact: sip:user@example.com?Route=%3Csip:sip.example.com%3E\n"
     "l: 0\n"
     "\n",
     "parse=ok\nanswer=400\nreason=Malformed Contact\n")

case("badaspec",
     "OPTIONS sip:user@example.org SIP/2.0\n"
     "Via: SIP/2.0/UDP host4.example.com:5060;branch=z9hG4bKkdju43234\n"
     "Max-Forwards: 70\n"
     "From: \"Bell, Alexander\" <sip:a.g.bell@example.com>;tag=433423\n"
     "To: \"Watson, Thomas\" < sip:t.watson@example.org >\n"
     "Call-ID: badaspec.sdf0234n2nds0a099u23h3hnnw009cdkne3\n"
     "Accept: application/sdp\n"
     "CSeq: 3923239 OPTIONS\n"
     "l: 0\n"
     "\n",
     "parse=ok\nanswer=400\nreason=Malformed To\n")

case("badaspec2",
     "OPTIONS sip:user@example.org SIP/2.0\n"
     "Via: SIP/2.0/UDP host4.example.com:5060;branch=z9hG4bKkdju43234\n"
     "Max-Forwards: 70\n"
     "From: Alexander Bell <sip: a.g.bell@example.com >;tag=433423\n"
     "To: <sip:t.watson@example.org>\n"
     "Call-ID: badaspec2.sdf0234n2nds0a099u23h3hnnw009cdkne3\n"
     "CSeq: 3923239 OPTIONS\n"
     "l: 0\n"
     "\n",
     "parse=ok\nanswer=400\nreason=Malformed From\n")

case("baddn",
     "OPTIONS sip:t.watson@example.org SIP/2.0\n"
     "Via: SIP/2.0/UDP c.example.com:5060;branch=z9hG4bKkdjuw\n"
     "Max-Forwards: 70\n"
     "From: Bell, Alexander <sip:a.g.bell@example.com>;tag=43\n"
     "To: Watson, Thomas <sip:t.watson@example.org>\n"
     "Call-ID: baddn.31415@c.example.com\n"
     "Accept: application/sdp\n"
     "CSeq: 3923239 OPTIONS\n"
     "l: 0\n"
     "\n",
     "parse=ok\nanswer=400\nreason=Malformed From\n")

case("badvers",
     "OPTIONS sip:t.watson@example.org SIP/7.0\n"
     "Via:     SIP/7.0/UDP c.example.com;branch=z9hG4bKkdjuw\n"
     "Max-Forwards:     70\n"
     "From:    A. Bell <sip:a.g.bell@example.com>;tag=qweoiqpe\n"
     "To:      T. Watson <sip:t.watson@example.org>\n"
     "Call-ID: badvers.31417@c.example.com\n"
     "CSeq:    1 OPTIONS\n"
     "l: 0\n"
     "\n",
     "parse=ok\nanswer=505\n")

case("mismatch01",
     "OPTIONS sip:user@example.com SIP/2.0\n"
     "To: sip:j.user@example.com\n"
     "From: sip:caller@example.net;tag=34525\n"
     "Max-Forwards: 6\n"
     "Call-ID: mismatch01.dj0234sxdfl3\n"
     "CSeq: 8 INVITE\n"
     "Via: SIP/2.0/UDP host.example.com;branch=z9hG4bKkdjuw\n"
     "l: 0\n"
     "\n",
     "parse=ok\nanswer=400\nreason=CSeq Method Does Not Match\n")

case("mismatch02",
     "NEWMETHOD sip:user@example.com SIP/2.0\n"
     "To: sip:j.user@example.com\n"
     "From: sip:caller@example.net;tag=34525\n"
     "Max-Forwards: 6\n"
     "Call-ID: mismatch02.dj0234sxdfl3\n"
     "CSeq: 8 INVITE\n"
     "Contact: <sip:caller@host.example.net>\n"
     "Via: SIP/2.0/UDP host.example.net;branch=z9hG4bKkdjuw\n"
     "Content-Type: application/sdp\n"
     "l: {CL}\n"
     "\n" + SDP,
     "parse=ok\nanswer=400\nreason=CSeq Method Does Not Match\n")

case("bigcode",
     "SIP/2.0 4294967301 better not break the receiver\n"
     "Via: SIP/2.0/UDP 192.0.2.105;branch=z9hG4bK2398ndaoe\n"
     "Call-ID: bigcode.asdof3uj203asdnf3429uasdhfas3@192.0.2.105\n"
     "CSeq: 353494 INVITE\n"
     "From: <sip:user@example.com>;tag=39ansfi3\n"
     "To: <sip:user@example.edu>;tag=902jndnke3\n"
     "Content-Length: 0\n"
     "Contact: <sip:user@host105.example.com>\n"
     "\n",
     "parse=error\nanswer=none\n")

case("code-700",
     "SIP/2.0 700 Out Of Range\n"
     "Via: SIP/2.0/UDP 192.0.2.105;branch=z9hG4bK2398ndaoe\n"
     "Call-ID: code700.asdof3uj203@192.0.2.105\n"
     "CSeq: 353494 INVITE\n"
     "From: <sip:user@example.com>;tag=39ansfi3\n"
     "To: <sip:user@example.edu>;tag=902jndnke3\n"
     "Content-Length: 0\n"
     "\n",
     "parse=error\nanswer=none\n")

# ---------------------------------------------------------------- RFC 4475 §3.2-3.4

case("badbranch",
     "OPTIONS sip:user@example.com SIP/2.0\n"
     "To: sip:user@example.com\n"
     "From: sip:caller@example.org;tag=33242\n"
     "Max-Forwards: 3\n"
     "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK\n"
     "Accept: application/sdp\n"
     "Call-ID: badbranch.sadonfo23i420jv0as0derf3j3n\n"
     "CSeq: 8 OPTIONS\n"
     "l: 0\n"
     "\n",
     "parse=ok\nanswer=400\nreason=Missing Or Bad Via Branch\n")

case("insuf",
     "INVITE sip:user@example.com SIP/2.0\n"
     "CSeq: 193942 INVITE\n"
     "Via: SIP/2.0/UDP 192.0.2.95;branch=z9hG4bKkdj.insuf\n"
     "Content-Type: application/sdp\n"
     "l: {CL}\n"
     "\n" + SDP,
     "parse=ok\nanswer=400\nreason=Missing To\n")

case("insuf-callid",
     "OPTIONS sip:user@example.com SIP/2.0\n"
     "To: <sip:user@example.com>\n"
     "From: <sip:caller@example.com>;tag=1\n"
     "Max-Forwards: 70\n"
     "CSeq: 193942 OPTIONS\n"
     "Via: SIP/2.0/UDP 192.0.2.95;branch=z9hG4bKkdj.insuf2\n"
     "l: 0\n"
     "\n",
     "parse=ok\nanswer=400\nreason=Missing Call-ID\n")

case("insuf-maxfwd",
     "OPTIONS sip:user@example.com SIP/2.0\n"
     "To: <sip:user@example.com>\n"
     "From: <sip:caller@example.com>;tag=1\n"
     "Call-ID: insuf-maxfwd.1\n"
     "CSeq: 193942 OPTIONS\n"
     "Via: SIP/2.0/UDP 192.0.2.95;branch=z9hG4bKkdj.insuf3\n"
     "l: 0\n"
     "\n",
     "parse=ok\nanswer=400\nreason=Missing Max-Forwards\n")

case("unkscm",
     "OPTIONS nobodyknowsthisscheme:totallyopaquecontent SIP/2.0\n"
     "To: sip:user@example.com\n"
     "From: sip:caller@example.net;tag=384\n"
     "Max-Forwards: 3\n"
     "Call-ID: unkscm.nasdfasser0q239nwsdfasdkl34\n"
     "CSeq: 3923423 OPTIONS\n"
     "Via: SIP/2.0/TCP host9.example.com;branch=z9hG4bKkdjuw39234\n"
     "Content-Length: 0\n"
     "\n",
     "parse=ok\nanswer=416\n")

case("novelsc",
     "OPTIONS soap.beep://192.0.2.103:3002 SIP/2.0\n"
     "To: sip:user@example.com\n"
     "From: sip:caller@example.net;tag=384\n"
     "Max-Forwards: 3\n"
     "Call-ID: novelsc.asdfasser0q239nwsdfasdkl34\n"
     "CSeq: 3923423 OPTIONS\n"
     "Via: SIP/2.0/TCP host9.example.com;branch=z9hG4bKkdjuw39234\n"
     "Content-Length: 0\n"
     "\n",
     "parse=ok\nanswer=416\n")

case("unksm2",
     "REGISTER sip:example.com SIP/2.0\n"
     "To: isbn:2983792873\n"
     "From: <http://www.example.com>;tag=3234233\n"
     "Call-ID: unksm2.daksdj@hyphenated-host.example.com\n"
     "CSeq: 234902 REGISTER\n"
     "Max-Forwards: 70\n"
     "Via: SIP/2.0/UDP 192.0.2.21:5060;branch=z9hG4bKkdjuw\n"
     "Contact: <name:John_Smith>\n"
     "l: 0\n"
     "\n",
     "parse=ok\nanswer=ok\nfrom_tag=3234233\n")

case("tel-ruri",
     "INVITE tel:+1-201-555-0123;phone-context=example.com SIP/2.0\n"
     "To: <tel:+1-201-555-0123>\n"
     "From: <sip:caller@example.net>;tag=7711\n"
     "Call-ID: telruri.1@192.0.2.7\n"
     "CSeq: 1 INVITE\n"
     "Max-Forwards: 70\n"
     "Via: SIP/2.0/UDP 192.0.2.7;branch=z9hG4bKtel1\n"
     "Content-Type: application/sdp\n"
     "Content-Length: {CL}\n"
     "\n" + SDP,
     "parse=ok\nanswer=ok\nruri_scheme=tel\nruri_user=+1-201-555-0123\n")

case("bext01",
     "OPTIONS sip:user@example.com SIP/2.0\n"
     "To: sip:j_user@example.com\n"
     "From: sip:caller@example.net;tag=242etr\n"
     "Max-Forwards: 6\n"
     "Call-ID: bext01.0ha0isndaksdj\n"
     "Require: nothingSupportsThis, nothingSupportsThisEither\n"
     "Proxy-Require: noProxiesSupportThis, norDoAnyProxiesSupportThis\n"
     "CSeq: 8 OPTIONS\n"
     "Via: SIP/2.0/TLS fold-and-staple.example.com;branch=z9hG4bKkdjuw\n"
     "Content-Length: 0\n"
     "\n",
     "parse=ok\nanswer=420\nunsupported=nothingSupportsThis,nothingSupportsThisEither\n")

case("require-mixed",
     "INVITE sip:user@example.com SIP/2.0\n"
     "To: sip:j_user@example.com\n"
     "From: sip:caller@example.net;tag=242etr\n"
     "Max-Forwards: 6\n"
     "Call-ID: reqmixed.0ha0isndaksdj\n"
     "Require: 100rel, foo\n"
     "Require: timer\n"
     "CSeq: 8 INVITE\n"
     "Via: SIP/2.0/UDP 192.0.2.44;branch=z9hG4bKreq\n"
     "Content-Length: 0\n"
     "\n",
     "parse=ok\nanswer=420\nunsupported=100rel,foo\n")

case("invut",
     "INVITE sip:user@example.com SIP/2.0\n"
     "Contact: <sip:caller@host5.example.net>\n"
     "To: sip:j.user@example.com\n"
     "From: sip:caller@example.net;tag=8392034\n"
     "Max-Forwards: 70\n"
     "Call-ID: invut.0ha0isndaksdjadsfij34n23d\n"
     "CSeq: 235448 INVITE\n"
     "Via: SIP/2.0/UDP somehost.example.com;branch=z9hG4bKkdjuw\n"
     "Content-Type: application/unknownformat\n"
     "Content-Length: {CL}\n"
     "\n"
     "<audio>\n"
     " <pcmu port=\"443\"/>\n"
     "</audio>\n",
     "parse=ok\nanswer=415\n")

case("regaut01",
     "REGISTER sip:example.com SIP/2.0\n"
     "To: sip:j.user@example.com\n"
     "From: sip:j.user@example.com;tag=87321hj23128\n"
     "Max-Forwards: 8\n"
     "Call-ID: regaut01.0ha0isndaksdj\n"
     "CSeq: 9338 REGISTER\n"
     "Via: SIP/2.0/TCP 192.0.2.253;branch=z9hG4bKkdjuw\n"
     "Authorization: NoOneKnowsThisScheme opaque-data=here\n"
     "Content-Length:0\n"
     "\n",
     "parse=ok\nanswer=ok\n")

case("multi01",
     "INVITE sip:user@company.com SIP/2.0\n"
     "Contact: <sip:caller@host25.example.net>\n"
     "Via: SIP/2.0/UDP 192.0.2.25;branch=z9hG4bKkdjuw\n"
     "Max-Forwards: 70\n"
     "CSeq: 5 INVITE\n"
     "Call-ID: multi01.98asdh@192.0.2.1\n"
     "CSeq: 59 INVITE\n"
     "Call-ID: multi01.98asdh@192.0.2.2\n"
     "From: sip:caller@example.com;tag=3413415\n"
     "To: sip:user@example.com\n"
     "To: sip:other@example.net\n"
     "From: sip:caller@example.net;tag=2923420123\n"
     "Content-Type: application/sdp\n"
     "l: {CL}\n"
     "Contact: <sip:caller@host36.example.net>\n"
     "Max-Forwards: 5\n"
     "\n" + SDP,
     "parse=ok\nanswer=400\nreason=Repeated Single-Value Header\n")

case("mcl01",
     "OPTIONS sip:user@example.com SIP/2.0\n"
     "Via: SIP/2.0/UDP host5.example.net;branch=z9hG4bK293423\n"
     "To: sip:user@example.com\n"
     "From: sip:other@example.net;tag=3923942\n"
     "Call-ID: mcl01.fhn2323orihawfdoa3o4r52o3irsdf\n"
     "CSeq: 15932 OPTIONS\n"
     "Content-Length: 13\n"
     "Max-Forwards: 60\n"
     "Content-Length: 5\n"
     "Content-Type: text/plain\n"
     "\n"
     "There's no way to know how many octets are supposed to be here.\n",
     "parse=error\nanswer=400\nreason=Conflicting Content-Length Values\n")

case("cl-dup-same",
     "OPTIONS sip:user@example.com SIP/2.0\n"
     "Via: SIP/2.0/UDP host5.example.net;branch=z9hG4bK293423\n"
     "To: sip:user@example.com\n"
     "From: sip:other@example.net;tag=3923942\n"
     "Call-ID: cldupsame.fhn2323orihawfdoa3o4r52o3irsdf\n"
     "CSeq: 15932 OPTIONS\n"
     "Content-Length: 0\n"
     "Max-Forwards: 60\n"
     "l: 0\n"
     "\n",
     "parse=ok\nanswer=ok\nbody_len=0\n")

case("bcast",
     "SIP/2.0 200 OK\n"
     "Via: SIP/2.0/UDP 192.0.2.198;branch=z9hG4bK1324923\n"
     "Via: SIP/2.0/UDP 255.255.255.255;branch=z9hG4bK1saber23\n"
     "Call-ID: bcast.0ha0isndaksdj\n"
     "CSeq: 2 OPTIONS\n"
     "From: sip:user@example.com;tag=11141343\n"
     "To: sip:user@example.edu;tag=2229\n"
     "Content-Length: 0\n"
     "Contact: <sip:user@host28.example.com>\n"
     "\n",
     "parse=ok\nanswer=ok\nstatus=200\nvia_count=2\n")

case("zeromf",
     "OPTIONS sip:user@example.com SIP/2.0\n"
     "Call-ID: zeromf.0ha0isnda977644900765@192.0.2.15\n"
     "CSeq: 35 OPTIONS\n"
     "From: sip:user@example.com;tag=11141343\n"
     "To: sip:user@example.com\n"
     "Via: SIP/2.0/UDP 192.0.2.15;branch=z9hG4bK-39234-23523\n"
     "Max-Forwards: 0\n"
     "Content-Length: 0\n"
     "\n",
     "parse=ok\nanswer=ok\nmf_check=483\n")

case("cparam01",
     "REGISTER sip:example.com SIP/2.0\n"
     "Via: SIP/2.0/UDP saturn.example.com:5060;branch=z9hG4bKkdjuw\n"
     "Max-Forwards: 70\n"
     "From: sip:watson@example.com;tag=DkfVgjkrtMwaerKKpe\n"
     "To: sip:watson@example.com\n"
     "Call-ID: cparam01.70710@saturn.example.com\n"
     "CSeq: 2 REGISTER\n"
     "Contact: sip:+19725552222@gw1.example.net;unknownparam\n"
     "l: 0\n"
     "\n",
     "parse=ok\nanswer=ok\ncontact_uri=sip:+19725552222@gw1.example.net\ncontact_params=unknownparam\n")

case("cparam02",
     "REGISTER sip:example.com SIP/2.0\n"
     "Via: SIP/2.0/UDP saturn.example.com:5060;branch=z9hG4bKkdjuw\n"
     "Max-Forwards: 70\n"
     "From: sip:watson@example.com;tag=838293\n"
     "To: sip:watson@example.com\n"
     "Call-ID: cparam02.70710@saturn.example.com\n"
     "CSeq: 3 REGISTER\n"
     "Contact: <sip:+19725552222@gw1.example.net;unknownparam>\n"
     "l: 0\n"
     "\n",
     "parse=ok\nanswer=ok\ncontact_uri=sip:+19725552222@gw1.example.net;unknownparam\ncontact_params=\n")

case("regescrt",
     "REGISTER sip:example.com SIP/2.0\n"
     "To: sip:user@example.com\n"
     "From: sip:user@example.com;tag=8\n"
     "Max-Forwards: 70\n"
     "Call-ID: regescrt.k345asrl3fdbv@192.0.2.1\n"
     "CSeq: 14398234 REGISTER\n"
     "Via: SIP/2.0/UDP host5.example.com;branch=z9hG4bKkdjuw\n"
     "M: <sip:user@example.com?Route=%3Csip:sip.example.com%3E>\n"
     "L:0\n"
     "\n",
     "parse=ok\nanswer=ok\ncontact_uri=sip:user@example.com?Route=%3Csip:sip.example.com%3E\n")

case("sdp01",
     "INVITE sip:user@example.com SIP/2.0\n"
     "To: sip:j_user@example.com\n"
     "Contact: <sip:caller@host15.example.net>\n"
     "From: sip:caller@example.net;tag=234\n"
     "Max-Forwards: 5\n"
     "Call-ID: sdp01.ndaksdj9342dasdd\n"
     "Accept: text/nobodyknowsthis\n"
     "CSeq: 8 INVITE\n"
     "Via: SIP/2.0/UDP 60.63.64.65;branch=z9hG4bKkdjuw\n"
     "Content-Length: {CL}\n"
     "Content-Type: application/sdp\n"
     "\n" + SDP,
     "parse=ok\nanswer=406\n")

case("inv2543",
     "INVITE sip:UserB@example.com SIP/2.0\n"
     "Via: SIP/2.0/UDP iftgw.example.com\n"
     "From: <sip:+13035551111@ift.client.example.net;user=phone>\n"
     "Record-Route: <sip:UserB@example.com;maddr=ss1.example.com>\n"
     "To: sip:+16505552222@ss1.example.net;user=phone\n"
     "Call-ID: inv2543.1717@ift.client.example.com\n"
     "CSeq: 56 INVITE\n"
     "Content-Type: application/sdp\n"
     "\n" + SDP,
     # RFC 2543 peers (no branch cookie, no Max-Forwards) are refused
     "parse=ok\nanswer=400\nreason=Missing Max-Forwards\nbody_len=%d\n" % len(SDP.replace("\n", "\r\n")))

case("inv2543-mf",
     "INVITE sip:UserB@example.com SIP/2.0\n"
     "Via: SIP/2.0/UDP iftgw.example.com\n"
     "From: <sip:+13035551111@ift.client.example.net;user=phone>\n"
     "To: sip:+16505552222@ss1.example.net;user=phone\n"
     "Call-ID: inv2543mf.1717@ift.client.example.com\n"
     "CSeq: 56 INVITE\n"
     "Max-Forwards: 70\n"
     "Content-Length: 0\n"
     "\n",
     "parse=ok\nanswer=400\nreason=Missing Or Bad Via Branch\nto_params=user=phone\n")

# ---------------------------------------------------------------- RFC 5118 (IPv6)

case("ipv6-good",
     "REGISTER sip:[2001:db8::10] SIP/2.0\n"
     "To: sip:user@example.com\n"
     "From: sip:user@example.com;tag=81x2\n"
     "Via: SIP/2.0/UDP [2001:db8::9:1];branch=z9hG4bKas3-111\n"
     "Call-ID: SSG9559905523997077@hlau_4100\n"
     "Max-Forwards: 70\n"
     "Contact: \"Caller\" <sip:caller@[2001:db8::1]>\n"
     "CSeq: 98176 REGISTER\n"
     "Content-Length: 0\n"
     "\n",
     "parse=ok\nanswer=ok\nruri_host=2001:db8::10\nruri_host_type=6\nvia_host=2001:db8::9:1\nvia_host_type=6\n")

case("ipv6-bad",
     "REGISTER sip:2001:db8::10 SIP/2.0\n"
     "To: sip:user@example.com\n"
     "From: sip:user@example.com;tag=81x2\n"
     "Via: SIP/2.0/UDP [2001:db8::9:1];branch=z9hG4bKas3-111\n"
     "Call-ID: SSG9559905523997077@hlau_4100\n"
     "Max-Forwards: 70\n"
     "Contact: \"Caller\" <sip:caller@[2001:db8::1]>\n"
     "CSeq: 98176 REGISTER\n"
     "Content-Length: 0\n"
     "\n",
     "parse=ok\nanswer=400\nreason=Malformed Request-URI\n")

case("port-ambiguous",
     "REGISTER sip:[2001:db8::10:5070] SIP/2.0\n"
     "To: sip:user@example.com\n"
     "From: sip:user@example.com;tag=81x2\n"
     "Via: SIP/2.0/UDP [2001:db8::9:1];branch=z9hG4bKas3-111\n"
     "Call-ID: SSG9559905523997077@hlau_4100\n"
     "Contact: \"Caller\" <sip:caller@[2001:db8::1]>\n"
     "Max-Forwards: 70\n"
     "CSeq: 98176 REGISTER\n"
     "Content-Length: 0\n"
     "\n",
     "parse=ok\nanswer=ok\nruri_host=2001:db8::10:5070\nruri_port=0\n")

case("port-unambiguous",
     "REGISTER sip:[2001:db8::10]:5070 SIP/2.0\n"
     "To: sip:user@example.com\n"
     "From: sip:user@example.com;tag=81x2\n"
     "Via: SIP/2.0/UDP [2001:db8::9:1];branch=z9hG4bKas3-111\n"
     "Call-ID: SSG9559905523997077@hlau_4100\n"
     "Contact: \"Caller\" <sip:caller@[2001:db8::1]>\n"
     "Max-Forwards: 70\n"
     "CSeq: 98176 REGISTER\n"
     "Content-Length: 0\n"
     "\n",
     "parse=ok\nanswer=ok\nruri_host=2001:db8::10\nruri_port=5070\n")

case("via-received-param-with-delim",
     "BYE sip:[2001:db8::10] SIP/2.0\n"
     "To: sip:user@example.com;tag=bd76ya\n"
     "From: sip:user@example.com;tag=81x2\n"
     "Via: SIP/2.0/UDP [2001:db8::9:1];received=[2001:db8::9:255];branch=z9hG4bKas3-111\n"
     "Call-ID: SSG9559905523997077@hlau_4100\n"
     "Max-Forwards: 70\n"
     "CSeq: 321 BYE\n"
     "Content-Length: 0\n"
     "\n",
     "parse=ok\nanswer=ok\nvia_received=[2001:db8::9:255]\n")

case("via-received-param-no-delim",
     "OPTIONS sip:[2001:db8::10] SIP/2.0\n"
     "To: sip:user@example.com\n"
     "From: sip:user@example.com;tag=81x2\n"
     "Via: SIP/2.0/UDP [2001:db8::9:1];received=2001:db8::9:255;branch=z9hG4bKas3\n"
     "Call-ID: SSG95523997077@hlau_4100\n"
     "Max-Forwards: 70\n"
     "Contact: \"Caller\" <sip:caller@[2001:db8::9:1]>\n"
     "CSeq: 921 OPTIONS\n"
     "Content-Length: 0\n"
     "\n",
     "parse=ok\nanswer=ok\nvia_received=2001:db8::9:255\nvia_branch=z9hG4bKas3\n")

SDP6 = (
    "v=0\n"
    "o=assistant 971731711378798081 0 IN IP6 2001:db8::20\n"
    "s=Live video feed\n"
    "c=IN IP6 2001:DB8::20\n"
    "t=0 0\n"
    "m=audio 6000 RTP/AVP 0\n"
    "a=rtpmap:0 PCMU/8000\n"
    "m=video 6024 RTP/AVP 96\n"
    "a=rtpmap:96 H264/90000\n"
)
case("ipv6-in-sdp",
     "INVITE sip:user@[2001:db8::10] SIP/2.0\n"
     "To: sip:user@[2001:db8::10]\n"
     "From: sip:user@example.com;tag=81x2\n"
     "Via: SIP/2.0/UDP [2001:db8::20];branch=z9hG4bKas3-111\n"
     "Call-ID: SSG9559905523997077@hlau_4100\n"
     "Contact: \"Caller\" <sip:caller@[2001:db8::20]>\n"
     "CSeq: 8612 INVITE\n"
     "Max-Forwards: 70\n"
     "Content-Type: application/sdp\n"
     "Content-Length: {CL}\n"
     "\n" + SDP6,
     "parse=ok\nanswer=ok\nsdp=ok\nsdp_conn=2001:db8::20\nsdp_port=6000\nsdp_codec=0\nsdp_dtmf=-1\n")

case("mult-ip-in-header",
     "BYE sip:user@host.example.net SIP/2.0\n"
     "Via: SIP/2.0/UDP [2001:db8::9:1]:6050;branch=z9hG4bKas3-111\n"
     "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKjhja8781hjuaij65144\n"
     "Via: SIP/2.0/TCP [2001:db8::9:255];branch=z9hG4bK451jj;received=192.0.2.200\n"
     "Call-ID: 997077@lau_4100\n"
     "Max-Forwards: 70\n"
     "CSeq: 89187 BYE\n"
     "To: sip:user@example.net;tag=9817--94\n"
     "From: sip:user@example.com;tag=81x2\n"
     "Content-Length: 0\n"
     "\n",
     "parse=ok\nanswer=ok\nvia_count=3\nvia_port=6050\nvia_host=2001:db8::9:1\n")

SDPM = (
    "v=0\n"
    "o=bob 280744730 28977631 IN IP4 host.example.com\n"
    "s=\n"
    "t=0 0\n"
    "m=audio 22334 RTP/AVP 0\n"
    "c=IN IP4 192.0.2.1\n"
    "m=video 6024 RTP/AVP 96\n"
    "c=IN IP6 2001:db8::1\n"
)
case("mult-ip-in-sdp",
     "INVITE sip:user@example.com SIP/2.0\n"
     "To: sip:user@example.com\n"
     "From: sip:user@east.example.com;tag=81x2\n"
     "Via: SIP/2.0/UDP 192.0.2.5;branch=z9hG4bKas3-111\n"
     "Call-ID: SSG95523997077@hlau_4100\n"
     "Contact: \"Caller\" <sip:caller@[2001:db8::9:1]>\n"
     "Max-Forwards: 70\n"
     "CSeq: 8912 INVITE\n"
     "Content-Type: application/sdp\n"
     "Content-Length: {CL}\n"
     "\n" + SDPM,
     "parse=ok\nanswer=ok\nsdp=ok\nsdp_conn=192.0.2.1\nsdp_port=22334\n")

case("ipv4-mapped-ipv6",
     "INVITE sip:user@example.com SIP/2.0\n"
     "To: sip:user@example.com\n"
     "From: sip:user@east.example.com;tag=81x2\n"
     "Via: SIP/2.0/UDP [::ffff:192.0.2.10]:19823;branch=z9hG4bKbh19\n"
     "Via: SIP/2.0/UDP [::ffff:192.0.2.2];branch=z9hG4bKas3-111\n"
     "Call-ID: SSG9559905523997077@hlau_4100\n"
     "Contact: \"T. desk phone\" <sip:ted@[::ffff:192.0.2.2]>\n"
     "CSeq: 612 INVITE\n"
     "Max-Forwards: 70\n"
     "Content-Type: application/sdp\n"
     "Content-Length: {CL}\n"
     "\n"
     "v=0\n"
     "o=assistant 971731711378798081 0 IN IP6 ::ffff:192.0.2.2\n"
     "s=Call me soon, please!\n"
     "c=IN IP6 ::ffff:192.0.2.2\n"
     "t=0 0\n"
     "m=audio 6000 RTP/AVP 0\n"
     "a=rtpmap:0 PCMU/8000\n",
     "parse=ok\nanswer=ok\nvia_host=::ffff:192.0.2.10\nvia_port=19823\nsdp=ok\nsdp_port=6000\n")

case("ipv6-bug-abnf-3-colons",
     "OPTIONS sip:user@[2001:db8:::192.0.2.1] SIP/2.0\n"
     "To: sip:user@[2001:db8:::192.0.2.1]\n"
     "From: sip:user@example.com;tag=810x2\n"
     "Via: SIP/2.0/UDP lab1.east.example.com;branch=z9hG4bKas3-111\n"
     "Call-ID: G9559905523997077@hlau_4100\n"
     "CSeq: 689 OPTIONS\n"
     "Max-Forwards: 70\n"
     "Content-Length: 0\n"
     "\n",
     "parse=ok\nanswer=ok\nruri_host=2001:db8:::192.0.2.1\n")

case("ipv6-correct-abnf-2-colons",
     "OPTIONS sip:user@[2001:db8::192.0.2.1] SIP/2.0\n"
     "To: sip:user@[2001:db8::192.0.2.1]\n"
     "From: sip:user@example.com;tag=810x2\n"
     "Via: SIP/2.0/UDP lab1.east.example.com;branch=z9hG4bKas3-111\n"
     "Call-ID: G9559905523997077@hlau_4100\n"
     "CSeq: 689 OPTIONS\n"
     "Max-Forwards: 70\n"
     "Content-Length: 0\n"
     "\n",
     "parse=ok\nanswer=ok\nruri_host=2001:db8::192.0.2.1\n")

case("ipv6-bad-ref",
     "OPTIONS sip:user@[2001:db8::zz] SIP/2.0\n"
     "To: sip:user@example.com\n"
     "From: sip:user@example.com;tag=810x2\n"
     "Via: SIP/2.0/UDP lab1.east.example.com;branch=z9hG4bKas3-111\n"
     "Call-ID: G95599055239@hlau_4100\n"
     "CSeq: 689 OPTIONS\n"
     "Max-Forwards: 70\n"
     "Content-Length: 0\n"
     "\n",
     "parse=ok\nanswer=400\nreason=Malformed Request-URI\n")

# ---------------------------------------------------------------- our own framing and limits

BASE = ("Via: SIP/2.0/UDP 192.0.2.33:5062;branch=z9hG4bKown1;rport\n"
        "From: \"Alice\" <sip:alice@example.com>;tag=a1\n"
        "To: <sip:bob@example.net>\n"
        "Call-ID: own.%s@192.0.2.33\n"
        "CSeq: 1 %s\n"
        "Max-Forwards: 70\n")

case("keepalive", "\n\n", "parse=error\nanswer=none\n")

case("garbage", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\x00\x00\x00\x00\r\n\x00\x00",
     "parse=error\nanswer=none\n", raw=True)

case("no-via",
     "OPTIONS sip:bob@example.net SIP/2.0\n"
     "From: <sip:alice@example.com>;tag=a1\n"
     "To: <sip:bob@example.net>\n"
     "Call-ID: novia.1@192.0.2.33\n"
     "CSeq: 1 OPTIONS\n"
     "Max-Forwards: 70\n"
     "Content-Length: 0\n"
     "\n",
     "parse=ok\nanswer=none\n")

case("ack-bad",
     "ACK sip:bob@example.net SIP/2.0\n" + (BASE % ("ackbad", "INVITE")) +
     "Content-Length: 0\n"
     "\n",
     "parse=ok\nanswer=none\n")

case("ack-ok",
     "ACK sip:bob@example.net SIP/2.0\n" + (BASE % ("ackok", "ACK")) +
     "Content-Length: 0\n"
     "\n",
     "parse=ok\nanswer=ok\nvia_rport=-1\nvia_has_rport=1\n")

case("resp-no-via",
     "SIP/2.0 200 OK\n"
     "From: <sip:alice@example.com>;tag=a1\n"
     "To: <sip:bob@example.net>;tag=b1\n"
     "Call-ID: respnovia.1@192.0.2.33\n"
     "CSeq: 1 OPTIONS\n"
     "Content-Length: 0\n"
     "\n",
     "parse=ok\nanswer=none\n")

case("resp-badvers",
     "SIP/3.0 200 OK\n"
     "Via: SIP/2.0/UDP 192.0.2.33;branch=z9hG4bKx\n"
     "From: <sip:alice@example.com>;tag=a1\n"
     "To: <sip:bob@example.net>;tag=b1\n"
     "Call-ID: respbadvers.1@192.0.2.33\n"
     "CSeq: 1 OPTIONS\n"
     "Content-Length: 0\n"
     "\n",
     "parse=ok\nanswer=none\n")

case("too-many-headers",
     "OPTIONS sip:bob@example.net SIP/2.0\n" + (BASE % ("toomany", "OPTIONS")) +
     "".join("X-Filler-%d: %d\n" % (i, i) for i in range(70)) +
     "Content-Length: 0\n"
     "\n",
     "parse=error\nanswer=none\n")

case("many-vias-one-line",
     "OPTIONS sip:bob@example.net SIP/2.0\n" + (BASE % ("manyvia", "OPTIONS")) +
     "Via: " + ", ".join("SIP/2.0/UDP h%d.example.com;branch=z9hG4bK%d" % (i, i) for i in range(58)) + "\n"
     "Content-Length: 0\n"
     "\n",
     "parse=error\nanswer=none\n")

case("no-content-length",
     "INVITE sip:bob@example.net SIP/2.0\n" + (BASE % ("nocl", "INVITE")) +
     "Content-Type: application/sdp\n"
     "\n" + SDP,
     "parse=ok\nanswer=ok\nbody_len=%d\nsdp=ok\n" % len(SDP.replace("\n", "\r\n")))

case("cl-short",
     "INVITE sip:bob@example.net SIP/2.0\n" + (BASE % ("clshort", "INVITE")) +
     "Content-Type: application/sdp\n"
     "Content-Length: 5\n"
     "\n" + SDP,
     "parse=ok\nanswer=ok\nbody_len=5\n")

binbody = b"\x00\x01\x02\x00\xff\xfe\r\n\r\n\x00SIP/2.0\x00\x7f"
case("binary-body",
     "MESSAGE sip:bob@example.net SIP/2.0\n" + (BASE % ("binbody", "MESSAGE")) +
     "Content-Type: application/octet-stream\n"
     "Content-Length: {CL}\n"
     "\n", body=binbody,
     expect="parse=ok\nanswer=415\nbody_len=%d\n" % len(binbody))

case("lf-only",
     ("OPTIONS sip:bob@example.net SIP/2.0\n" + (BASE % ("lfonly", "OPTIONS")) +
      "Content-Length: 0\n"
      "\n").encode(),
     "parse=ok\nanswer=ok\ncall_id=own.lfonly@192.0.2.33\n", raw=True)

case("no-eoh",
     "OPTIONS sip:bob@example.net SIP/2.0\n" + (BASE % ("noeoh", "OPTIONS")) +
     "Content-Length: 0\n",
     "parse=error\nanswer=400\nreason=Missing Empty Line After Headers\n")

case("bad-header-line",
     "OPTIONS sip:bob@example.net SIP/2.0\n" + (BASE % ("badhdr", "OPTIONS")) +
     "This line has no colon\n"
     "Content-Length: 0\n"
     "\n",
     "parse=error\nanswer=400\nreason=Malformed Header Line\n")

case("cseq-2-31",
     "OPTIONS sip:bob@example.net SIP/2.0\n" + (BASE % ("cseq231", "OPTIONS")).replace("CSeq: 1 ", "CSeq: 2147483648 ") +
     "Content-Length: 0\n"
     "\n",
     "parse=ok\nanswer=400\nreason=Bad CSeq\n")

case("compact-all",
     "INVITE sip:bob@example.net SIP/2.0\n"
     "v: SIP/2.0/UDP 192.0.2.33;branch=z9hG4bKcompact\n"
     "f: <sip:alice@example.com>;tag=c1\n"
     "t: <sip:bob@example.net>\n"
     "i: compact.1@192.0.2.33\n"
     "CSeq: 1 INVITE\n"
     "Max-Forwards: 70\n"
     "m: <sip:alice@192.0.2.33>\n"
     "k: timer, 100rel\n"
     "s: compact forms\n"
     "o: dialog\n"
     "u: talk, hold\n"
     "e: identity\n"
     "c: application/sdp\n"
     "l: {CL}\n"
     "\n" + SDP,
     "parse=ok\nanswer=ok\ncall_id=compact.1@192.0.2.33\nvia_count=1\nfrom_tag=c1\n"
     "hdr=Supported:100rel\nhdr=Allow-Events:hold\nsdp=ok\n")

case("contact-star",
     "REGISTER sip:example.com SIP/2.0\n" + (BASE % ("star", "REGISTER")) +
     "Contact: *\n"
     "Expires: 0\n"
     "Content-Length: 0\n"
     "\n",
     "parse=ok\nanswer=ok\ncontact_star=1\n")

case("contact-star-invite",
     "INVITE sip:bob@example.net SIP/2.0\n" + (BASE % ("starinv", "INVITE")) +
     "Contact: *\n"
     "Content-Length: 0\n"
     "\n",
     "parse=ok\nanswer=400\nreason=Malformed Contact\n")

case("version-lower",
     "OPTIONS sip:bob@example.net sip/2.0\n" + (BASE % ("verlower", "OPTIONS")) +
     "Content-Length: 0\n"
     "\n",
     "parse=ok\nanswer=ok\n")

case("version-garbage",
     "OPTIONS sip:bob@example.net SIP/2.x\n" + (BASE % ("vergarb", "OPTIONS")) +
     "Content-Length: 0\n"
     "\n",
     "parse=error\nanswer=400\n")

case("leading-crlf",
     "\n\nOPTIONS sip:bob@example.net SIP/2.0\n" + (BASE % ("leadcrlf", "OPTIONS")) +
     "Content-Length: 0\n"
     "\n",
     "parse=ok\nanswer=ok\nmethod=OPTIONS\n")

case("callid-space",
     "OPTIONS sip:bob@example.net SIP/2.0\n" + (BASE % ("x", "OPTIONS")).replace("Call-ID: own.x@192.0.2.33", "Call-ID: has space@192.0.2.33") +
     "Content-Length: 0\n"
     "\n",
     "parse=ok\nanswer=400\nreason=Malformed Call-ID\n")

case("ruri-password-params-headers",
     "OPTIONS sips:alice:secret@example.com:5061;transport=tcp;lr SIP/2.0\n" + (BASE % ("ruripw", "OPTIONS")) +
     "Content-Length: 0\n"
     "\n",
     "parse=ok\nanswer=ok\nruri_scheme=sips\nruri_user=alice\nruri_password=secret\nruri_port=5061\n"
     "ruri_params=transport=tcp;lr\n")

case("route-rr",
     "BYE sip:bob@192.0.2.40:5080 SIP/2.0\n" + (BASE % ("routerr", "BYE")) +
     "Route: <sip:proxy1.example.com;lr>, <sip:[2001:db8::5]:5070;lr>\n"
     "Record-Route: <sip:rr.example.com;lr>\n"
     "Content-Length: 0\n"
     "\n",
     "parse=ok\nanswer=ok\nhdr_count=Route:2\nvia_port=5062\n")

case("bad-rr",
     "BYE sip:bob@192.0.2.40:5080 SIP/2.0\n" + (BASE % ("badrr", "BYE")) +
     "Record-Route: <sip:rr.example.com;lr\n"
     "Content-Length: 0\n"
     "\n",
     "parse=ok\nanswer=400\nreason=Malformed Header\n")

case("content-encoding-gzip",
     "INVITE sip:bob@example.net SIP/2.0\n" + (BASE % ("gzip", "INVITE")) +
     "Content-Type: application/sdp\n"
     "Content-Encoding: gzip\n"
     "Content-Length: {CL}\n"
     "\n" + SDP,
     "parse=ok\nanswer=415\n")

case("body-no-ctype",
     "INVITE sip:bob@example.net SIP/2.0\n" + (BASE % ("noctype", "INVITE")) +
     "Content-Length: {CL}\n"
     "\n" + SDP,
     "parse=ok\nanswer=400\nreason=Malformed Content-Type\n")

case("sdp-garbage-attrs",
     "INVITE sip:bob@example.net SIP/2.0\n" + (BASE % ("sdpgarb", "INVITE")) +
     "Content-Type: application/sdp\n"
     "Content-Length: {CL}\n"
     "\n"
     "v=0\n"
     "o=- 1 1 IN IP4 192.0.2.50\n"
     "s=-\n"
     "c=IN IP4 192.0.2.50\n"
     "t=0 0\n"
     "m=audio 30000 RTP/SAVP 8 0 96\n"
     "a=rtpmap: PCMA/8000\n"
     "a=rtpmap:96 telephone-event/8000\n"
     "a=rtpmap:x\n"
     "a=ptime:30\n"
     "a=unknown-attribute:with;odd=stuff\n"
     "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:32\n"
     "a=recvonly\n",
     "parse=ok\nanswer=ok\nsdp=ok\nsdp_codec=8\nsdp_dtmf=96\nsdp_dir=sendonly\nsdp_secure=1\nsdp_ptime=30\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if f.endswith(".sip") or f.endswith(".expect"):
            os.remove(os.path.join(OUT, f))
    names = set()
    for name, data, expect in CASES:
        assert name not in names, name
        names.add(name)
        with open(os.path.join(OUT, name + ".sip"), "wb") as f:
            f.write(data)
        with open(os.path.join(OUT, name + ".expect"), "w") as f:
            f.write(expect)
    print("%d cases written to %s" % (len(CASES), OUT), file=sys.stderr)


if __name__ == "__main__":
    main()
