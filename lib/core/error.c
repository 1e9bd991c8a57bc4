/* SPDX-License-Identifier: MIT */
#include <dexrt/core.h>
#include <dexrt/version.h>

struct err_name {
	int code;
	const char *sym;
	const char *text;
};

static const struct err_name err_names[] = {
	{DX_OK, "DX_OK", "success"},
	{DX_EPERM, "DX_EPERM", "operation not permitted"},
	{DX_ENOENT, "DX_ENOENT", "no such file, interface or name"},
	{DX_EIO, "DX_EIO", "input/output error"},
	{DX_EBADF, "DX_EBADF", "object not open"},
	{DX_EAGAIN, "DX_EAGAIN", "nothing available now"},
	{DX_ENOMEM, "DX_ENOMEM", "out of memory"},
	{DX_EBUSY, "DX_EBUSY", "resource busy"},
	{DX_EEXIST, "DX_EEXIST", "already exists"},
	{DX_ENODEV, "DX_ENODEV", "no such device"},
	{DX_EINVAL, "DX_EINVAL", "invalid argument"},
	{DX_ENOSPC, "DX_ENOSPC", "capacity exhausted"},
	{DX_ERANGE, "DX_ERANGE", "value out of range"},
	{DX_ENOSYS, "DX_ENOSYS", "not implemented by this backend"},
	{DX_EMSGSIZE, "DX_EMSGSIZE", "invalid frame or message length"},
	{DX_EPROTO, "DX_EPROTO", "protocol error"},
	{DX_ENOTSUP, "DX_ENOTSUP", "operation not supported"},
	{DX_ENOBUFS, "DX_ENOBUFS", "queue full"},
	{DX_ETIMEDOUT, "DX_ETIMEDOUT", "deadline passed"},
	{DX_EBADMSG, "DX_EBADMSG", "malformed message"},
	{DX_ENETDOWN, "DX_ENETDOWN", "interface is down"},
	{DX_ENOTFINITE, "DX_ENOTFINITE", "value is NaN or infinite"},
	{DX_EBUSOFF, "DX_EBUSOFF", "CAN controller is bus-off"},
	{DX_ELINKLOST, "DX_ELINKLOST", "device link lost"},
	{DX_EFAULT_DEV, "DX_EFAULT_DEV", "device reports a fault"},
	{DX_EPARSE, "DX_EPARSE", "parse error"},
	{DX_ECONFIG, "DX_ECONFIG", "invalid configuration"},
	{DX_ENOCONVERGE, "DX_ENOCONVERGE", "solver did not converge"},
	{DX_ESTATE, "DX_ESTATE", "call not valid in this state"},
	{DX_ESINGULAR, "DX_ESINGULAR", "matrix is singular or rank-deficient"},
	{DX_ESTALE, "DX_ESTALE", "data is stale"},
	{DX_EBUDGET, "DX_EBUDGET", "frames do not fit the bus budget"},
	{DX_ELIMIT, "DX_ELIMIT", "safety limit violated"},
	{DX_EUNREACHABLE, "DX_EUNREACHABLE", "target is unreachable"},
};

static const struct err_name *find(int err)
{
	/* Accept plain positive errno values as well as negated ones. */
	if (err > 0)
		err = -err;
	for (size_t i = 0; i < DX_ARRAY_SIZE(err_names); i++)
		if (err_names[i].code == err)
			return &err_names[i];
	return NULL;
}

DX_API const char *dx_strerror(int err)
{
	const struct err_name *e = find(err);
	return e ? e->text : "unknown error";
}

DX_API const char *dx_errname(int err)
{
	const struct err_name *e = find(err);
	return e ? e->sym : "DX_E?";
}

DX_API const char *dx_version(void)
{
	return DX_VERSION_STRING;
}
