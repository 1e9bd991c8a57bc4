/* SPDX-License-Identifier: MIT */
/* The KDL backend's API when dexrt is built without orocos-kdl: every call
 * reports DX_ENOSYS so programs link and can tell at run time. */
#include <string.h>

#include <dexrt/kdl.h>

bool dx_kdl_available(void)
{
	return false;
}

void dx_kdl_config_default(struct dx_kdl_config *cfg)
{
	if (!cfg)
		return;
	memset(cfg, 0, sizeof(*cfg));
	for (int i = 0; i < 6; i++)
		cfg->weights[i] = 1.0;
}

int dx_kdl_create(const struct dx_kin_model *m, const char *base,
		  const char *tip, const struct dx_kdl_config *cfg,
		  struct dx_kdl **out)
{
	if (out)
		*out = NULL;
	return DX_ENOSYS;
}

void dx_kdl_free(struct dx_kdl *k)
{
}

unsigned dx_kdl_nvars(const struct dx_kdl *k)
{
	return 0;
}

int dx_kdl_fk(struct dx_kdl *k, const double *q, struct dx_kin_pose *out)
{
	return DX_ENOSYS;
}

int dx_kdl_jacobian(struct dx_kdl *k, const double *q, double *J)
{
	return DX_ENOSYS;
}

int dx_kdl_ik(struct dx_kdl *k, const struct dx_kin_pose *target,
	      const double *q_seed, double *q_out)
{
	return DX_ENOSYS;
}
