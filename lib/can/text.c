/* SPDX-License-Identifier: MIT */
/* can-utils text forms of frames (lib.c of can-utils defines them):
 *   <id>#<data>        classic; id is 3 hex digits (11-bit) or 8 (29-bit)
 *   <id>#R[len]        remote request, optional length digit 0..8
 *   <id>##<f><data>    CAN FD; <f> one hex digit: 1 BRS, 2 ESI, 4 FDF
 *   2000xxxx#<data>    error frame: 8 digits with CAN_ERR_FLAG (0x20000000)
 * Data bytes are two hex digits each, optionally separated by '.'.
 * candump -L log lines: "(<sec>.<usec>) <ifname> <frame>".
 * Parsing is strict: anything the grammar does not allow is refused. */
#include <string.h>

#include <dexrt/can.h>

#define CAN_ERR_FLAG 0x20000000u /* linux/can.h */
#define FD_FLAG_BRS 0x1u         /* linux/can.h: CANFD_BRS */
#define FD_FLAG_ESI 0x2u         /* CANFD_ESI */
#define FD_FLAG_FDF 0x4u         /* CANFD_FDF (newer can-utils print it) */
#define IFNAME_MAX 63

static const char hexdig[] = "0123456789ABCDEF";

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Parses the frame in [s, e). */
static int parse_span(const char *s, const char *e, struct dx_can_frame *f)
{
	const char *hash = memchr(s, '#', (size_t)(e - s));
	size_t idlen;
	uint32_t id = 0;
	unsigned max;
	bool fd = false;
	int v;

	if (!hash)
		return DX_EBADMSG;
	memset(f, 0, sizeof(*f));
	idlen = (size_t)(hash - s);
	if (idlen != 3 && idlen != 8)
		return DX_EBADMSG;
	for (size_t i = 0; i < idlen; i++) {
		if ((v = hexval(s[i])) < 0)
			return DX_EBADMSG;
		id = id << 4 | (uint32_t)v;
	}
	if (idlen == 8) {
		if (id & CAN_ERR_FLAG) {
			if (id & ~(CAN_ERR_FLAG | DX_CAN_EFF_MASK))
				return DX_EBADMSG;
			f->flags = DX_CAN_ERR;
			id &= DX_CAN_EFF_MASK;
		} else {
			if (id > DX_CAN_EFF_MASK)
				return DX_EBADMSG;
			f->flags = DX_CAN_EXT;
		}
	} else if (id > DX_CAN_SFF_MASK) {
		return DX_EBADMSG;
	}
	f->id = id;
	s = hash + 1;
	if (s < e && *s == '#') {
		unsigned fl;

		if (f->flags & DX_CAN_ERR)
			return DX_EBADMSG;
		s++;
		if (s >= e || (v = hexval(*s)) < 0)
			return DX_EBADMSG;
		fl = (unsigned)v;
		if (fl & ~(FD_FLAG_BRS | FD_FLAG_ESI | FD_FLAG_FDF))
			return DX_EBADMSG; /* unknown flag bits */
		fd = true;
		f->flags |= DX_CAN_FD;
		if (fl & FD_FLAG_BRS)
			f->flags |= DX_CAN_BRS;
		if (fl & FD_FLAG_ESI)
			f->flags |= DX_CAN_ESI;
		s++;
	} else if (s < e && (*s == 'R' || *s == 'r')) {
		if (f->flags & DX_CAN_ERR)
			return DX_EBADMSG;
		f->flags |= DX_CAN_RTR;
		s++;
		if (s == e)
			return 0;
		if (e - s != 1 || (v = hexval(*s)) < 0)
			return DX_EBADMSG;
		if (v > DX_CAN_MAX_DLEN)
			return DX_EMSGSIZE; /* a length code no frame can have */
		f->len = (uint8_t)v;
		return 0;
	}
	max = fd ? DX_CANFD_MAX_DLEN : DX_CAN_MAX_DLEN;
	while (s < e) {
		int hi, lo;

		if (*s == '.') {
			/* separators only between bytes */
			if (f->len == 0 || s + 1 == e || s[1] == '.')
				return DX_EBADMSG;
			s++;
			continue;
		}
		if (e - s < 2 || (hi = hexval(s[0])) < 0 ||
		    (lo = hexval(s[1])) < 0)
			return DX_EBADMSG;
		if (f->len >= max)
			return DX_EMSGSIZE;
		f->data[f->len++] = (uint8_t)(hi << 4 | lo);
		s += 2;
	}
	if (fd && dx_can_len_to_dlc(f->len) < 0)
		return DX_EMSGSIZE; /* no FD length code for this many bytes */
	return 0;
}

DX_API int dx_can_frame_parse(const char *text, struct dx_can_frame *f)
{
	const char *e;

	if (!text || !f)
		return DX_EINVAL;
	while (is_blank(*text))
		text++;
	e = text + strlen(text);
	while (e > text && is_blank(e[-1]))
		e--;
	for (const char *p = text; p < e; p++)
		if (is_blank(*p))
			return DX_EBADMSG;
	return parse_span(text, e, f);
}

DX_API int dx_can_frame_format(const struct dx_can_frame *f, char *buf,
			       size_t size)
{
	char tmp[DX_CAN_TEXT_MAX];
	size_t n = 0;
	int err;

	if (!f || !buf)
		return DX_EINVAL;
	err = dx_can_frame_check(f);
	if (err)
		return err == DX_EMSGSIZE ? DX_EINVAL : err;
	if (f->flags & (DX_CAN_EXT | DX_CAN_ERR)) {
		uint32_t id = f->id | ((f->flags & DX_CAN_ERR) ? CAN_ERR_FLAG : 0);
		for (int sh = 28; sh >= 0; sh -= 4)
			tmp[n++] = hexdig[(id >> sh) & 0xf];
	} else {
		for (int sh = 8; sh >= 0; sh -= 4)
			tmp[n++] = hexdig[(f->id >> sh) & 0xf];
	}
	tmp[n++] = '#';
	if (f->flags & DX_CAN_FD) {
		tmp[n++] = '#';
		tmp[n++] = hexdig[((f->flags & DX_CAN_BRS) ? FD_FLAG_BRS : 0) |
				  ((f->flags & DX_CAN_ESI) ? FD_FLAG_ESI : 0)];
	} else if (f->flags & DX_CAN_RTR) {
		tmp[n++] = 'R';
		if (f->len)
			tmp[n++] = hexdig[f->len];
	}
	if (!(f->flags & DX_CAN_RTR)) {
		for (unsigned i = 0; i < f->len; i++) {
			tmp[n++] = hexdig[f->data[i] >> 4];
			tmp[n++] = hexdig[f->data[i] & 0xf];
		}
	}
	if (n + 1 > size)
		return DX_ENOSPC;
	memcpy(buf, tmp, n);
	buf[n] = '\0';
	return (int)n;
}

DX_API int dx_can_log_parse(const char *line, struct dx_can_frame *f,
			    char *ifname, size_t ifname_size)
{
	const char *p, *name, *fr, *e;
	int64_t sec = 0, frac = 0;
	int nsec_digits = 0, nfrac = 0;
	size_t nlen;
	int err;

	if (!line || !f)
		return DX_EINVAL;
	p = line;
	while (is_blank(*p))
		p++;
	if (*p++ != '(')
		return DX_EBADMSG;
	/* seconds: at most 10 digits so that sec * 1e9 fits in int64 */
	while (*p >= '0' && *p <= '9') {
		if (++nsec_digits > 10)
			return DX_EBADMSG;
		sec = sec * 10 + (*p++ - '0');
	}
	if (nsec_digits == 0 || *p++ != '.')
		return DX_EBADMSG;
	while (*p >= '0' && *p <= '9') {
		if (++nfrac > 9)
			return DX_EBADMSG;
		frac = frac * 10 + (*p++ - '0');
	}
	if (nfrac == 0 || *p++ != ')')
		return DX_EBADMSG;
	for (int i = nfrac; i < 9; i++)
		frac *= 10;
	/* the stamp must fit int64 ns: every stamp the formatter writes does */
	if (sec > INT64_MAX / DX_NS_PER_S ||
	    (sec == INT64_MAX / DX_NS_PER_S && frac > INT64_MAX % DX_NS_PER_S))
		return DX_EBADMSG;
	if (*p != ' ' && *p != '\t')
		return DX_EBADMSG;
	while (*p == ' ' || *p == '\t')
		p++;
	name = p;
	while (*p && !is_blank(*p))
		p++;
	nlen = (size_t)(p - name);
	if (nlen == 0 || nlen > IFNAME_MAX || (*p != ' ' && *p != '\t'))
		return DX_EBADMSG;
	while (*p == ' ' || *p == '\t')
		p++;
	fr = p;
	while (*p && !is_blank(*p))
		p++;
	e = p;
	while (is_blank(*p))
		p++;
	if (*p != '\0' || e == fr)
		return DX_EBADMSG; /* trailing fields are not part of -L lines */
	err = parse_span(fr, e, f);
	if (err)
		return err;
	f->ts_ns = sec * DX_NS_PER_S + frac;
	if (ifname) {
		if (nlen + 1 > ifname_size)
			return DX_ENOSPC;
		memcpy(ifname, name, nlen);
		ifname[nlen] = '\0';
	}
	return 0;
}

DX_API int dx_can_log_format(const struct dx_can_frame *f, const char *ifname,
			     char *buf, size_t size)
{
	char fr[DX_CAN_TEXT_MAX];
	char tmp[DX_CAN_LOG_MAX];
	int64_t ts;
	size_t nlen, n;
	int len;

	if (!f || !ifname || !buf)
		return DX_EINVAL;
	nlen = strlen(ifname);
	if (nlen == 0 || nlen > IFNAME_MAX)
		return DX_EINVAL;
	for (size_t i = 0; i < nlen; i++)
		if (is_blank(ifname[i]))
			return DX_EINVAL;
	len = dx_can_frame_format(f, fr, sizeof(fr));
	if (len < 0)
		return len;
	ts = f->ts_ns < 0 ? 0 : f->ts_ns;
	/* candump prints microseconds; the stamp is truncated, not rounded,
	 * so that a stamp never moves into the next second. */
	n = 0;
	{
		char num[24];
		int k = 0;
		int64_t sec = ts / DX_NS_PER_S, usec = (ts % DX_NS_PER_S) / 1000;

		tmp[n++] = '(';
		do {
			num[k++] = (char)('0' + sec % 10);
			sec /= 10;
		} while (sec);
		while (k)
			tmp[n++] = num[--k];
		tmp[n++] = '.';
		for (int64_t d = 100000; d; d /= 10)
			tmp[n++] = (char)('0' + (usec / d) % 10);
		tmp[n++] = ')';
		tmp[n++] = ' ';
	}
	memcpy(tmp + n, ifname, nlen);
	n += nlen;
	tmp[n++] = ' ';
	memcpy(tmp + n, fr, (size_t)len);
	n += (size_t)len;
	if (n + 1 > size)
		return DX_ENOSPC;
	memcpy(buf, tmp, n);
	buf[n] = '\0';
	return (int)n;
}
