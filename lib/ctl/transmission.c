/* SPDX-License-Identifier: MIT */
/* Joint <-> actuator transmission (convention in ctl.h).
 *
 * The small dense algebra here (a Gauss-Jordan inverse of at most 32 x 32)
 * is written out in double precision because cglm only offers float 3x3 and
 * 4x4 matrices; hand couplings are larger and the round trips are tested to
 * 1e-12. */
#include <math.h>
#include <string.h>

#include <dexrt/ctl.h>

#define RANK_TOL 1e-10
#define INV_TOL 1e-9

/* Inverts the k x k matrix a (row-major, destroyed) into inv with partial
 * pivoting. Returns DX_ESINGULAR when a pivot falls below RANK_TOL times the
 * largest absolute entry of the original matrix. */
static int gj_inverse(double *a, double *inv, unsigned k)
{
	double scale = 0.0;

	for (unsigned i = 0; i < k * k; i++)
		scale = fmax(scale, fabs(a[i]));
	if (!(scale > 0.0))
		return DX_ESINGULAR;
	for (unsigned i = 0; i < k; i++)
		for (unsigned j = 0; j < k; j++)
			inv[i * k + j] = i == j ? 1.0 : 0.0;
	for (unsigned col = 0; col < k; col++) {
		unsigned piv = col;
		double best = fabs(a[col * k + col]), d;

		for (unsigned r = col + 1; r < k; r++) {
			if (fabs(a[r * k + col]) > best) {
				best = fabs(a[r * k + col]);
				piv = r;
			}
		}
		if (best <= RANK_TOL * scale)
			return DX_ESINGULAR;
		if (piv != col) {
			for (unsigned j = 0; j < k; j++) {
				double t = a[col * k + j];

				a[col * k + j] = a[piv * k + j];
				a[piv * k + j] = t;
				t = inv[col * k + j];
				inv[col * k + j] = inv[piv * k + j];
				inv[piv * k + j] = t;
			}
		}
		d = a[col * k + col];
		for (unsigned j = 0; j < k; j++) {
			a[col * k + j] /= d;
			inv[col * k + j] /= d;
		}
		for (unsigned r = 0; r < k; r++) {
			double f;

			if (r == col)
				continue;
			f = a[r * k + col];
			if (f == 0.0)
				continue;
			for (unsigned j = 0; j < k; j++) {
				a[r * k + j] -= f * a[col * k + j];
				inv[r * k + j] -= f * inv[col * k + j];
			}
		}
	}
	return 0;
}

static bool all_finite(const double *x, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (!dx_isfinite(x[i]))
			return false;
	return true;
}

/* Pseudo-inverse P (n x m) of C (m x n): right inverse C^T (C C^T)^-1 when
 * m <= n, left inverse (C^T C)^-1 C^T when m > n. */
static int pseudo_inverse(const double *c, unsigned m, unsigned n, double *p)
{
	double gram[DX_TRANS_MAX * DX_TRANS_MAX];
	double ginv[DX_TRANS_MAX * DX_TRANS_MAX];
	unsigned k = m <= n ? m : n;
	int err;

	/* gram = C C^T (m x m) or C^T C (n x n) */
	for (unsigned i = 0; i < k; i++) {
		for (unsigned j = 0; j < k; j++) {
			double s = 0.0;

			if (m <= n)
				for (unsigned l = 0; l < n; l++)
					s += c[i * n + l] * c[j * n + l];
			else
				for (unsigned l = 0; l < m; l++)
					s += c[l * n + i] * c[l * n + j];
			gram[i * k + j] = s;
		}
	}
	err = gj_inverse(gram, ginv, k);
	if (err)
		return err;
	for (unsigned i = 0; i < n; i++) {
		for (unsigned j = 0; j < m; j++) {
			double s = 0.0;

			if (m <= n) /* (C^T ginv)[i][j] = sum_l C[l][i] ginv[l][j] */
				for (unsigned l = 0; l < m; l++)
					s += c[l * n + i] * ginv[l * m + j];
			else /* (ginv C^T)[i][j] = sum_l ginv[i][l] C[j][l] */
				for (unsigned l = 0; l < n; l++)
					s += ginv[i * n + l] * c[j * n + l];
			p[i * m + j] = s;
		}
	}
	return 0;
}

/* Checks that P is an inverse of C on the side that exists: C P = I (m x m)
 * when m <= n, P C = I (n x n) otherwise. */
static bool inverse_ok(const double *c, const double *p, unsigned m, unsigned n)
{
	unsigned k = m <= n ? m : n;

	for (unsigned i = 0; i < k; i++) {
		for (unsigned j = 0; j < k; j++) {
			double s = 0.0;

			if (m <= n)
				for (unsigned l = 0; l < n; l++)
					s += c[i * n + l] * p[l * m + j];
			else
				for (unsigned l = 0; l < m; l++)
					s += p[i * m + l] * c[l * n + j];
			if (fabs(s - (i == j ? 1.0 : 0.0)) > INV_TOL)
				return false;
		}
	}
	return true;
}

/* A square coupling whose C and P have nothing off the diagonal (1:1
 * actuators, the common case of a hand) lets the mappings skip the dense
 * products; see the diagonal paths below for why they are exact. */
static bool is_diagonal(const double *c, const double *p, unsigned m,
			unsigned n)
{
	if (m != n)
		return false;
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = 0; j < n; j++)
			if (i != j && (c[i * n + j] != 0.0 || p[i * n + j] != 0.0))
				return false;
	return true;
}

DX_API int dx_trans_init(struct dx_trans *tr, const struct dx_trans_config *cfg)
{
	double c[DX_TRANS_MAX * DX_TRANS_MAX];
	double p[DX_TRANS_MAX * DX_TRANS_MAX];
	double g[DX_TRANS_MAX], z[DX_TRANS_MAX];
	unsigned m, n;
	int err;

	if (!tr || !cfg || !cfg->gear_ratio)
		return DX_EINVAL;
	n = cfg->n_joints;
	m = cfg->n_actuators;
	if (n == 0 || m == 0 || n > DX_TRANS_MAX || m > DX_TRANS_MAX)
		return DX_EINVAL;
	for (unsigned i = 0; i < m; i++) {
		double r = cfg->gear_ratio[i];
		int d = cfg->direction ? cfg->direction[i] : 1;

		if (!dx_isfinite(r))
			return DX_ENOTFINITE;
		if (!(r > 0.0) || (d != 1 && d != -1))
			return DX_EINVAL;
		g[i] = d * r;
		z[i] = cfg->zero_offset ? cfg->zero_offset[i] : 0.0;
		if (!dx_isfinite(z[i]))
			return DX_ENOTFINITE;
	}
	if (cfg->coupling) {
		if (cfg->coupling_rows != m || cfg->coupling_cols != n)
			return DX_ECONFIG;
		if (!all_finite(cfg->coupling, m * n))
			return DX_ENOTFINITE;
		memcpy(c, cfg->coupling, sizeof(double) * m * n);
	} else {
		if (m != n)
			return DX_ECONFIG;
		for (unsigned i = 0; i < m; i++)
			for (unsigned j = 0; j < n; j++)
				c[i * n + j] = i == j ? 1.0 : 0.0;
	}
	if (cfg->inverse) {
		if (cfg->inverse_rows != n || cfg->inverse_cols != m)
			return DX_ECONFIG;
		if (!all_finite(cfg->inverse, m * n))
			return DX_ENOTFINITE;
		memcpy(p, cfg->inverse, sizeof(double) * m * n);
		if (!inverse_ok(c, p, m, n)) {
			/* Tell a rank-deficient coupling apart from a wrong
			 * inverse: the former has no inverse at all. */
			double tmp[DX_TRANS_MAX * DX_TRANS_MAX];

			err = pseudo_inverse(c, m, n, tmp);
			return err ? err : DX_ECONFIG;
		}
	} else {
		err = pseudo_inverse(c, m, n, p);
		if (err)
			return err;
		if (!all_finite(p, m * n) || !inverse_ok(c, p, m, n))
			return DX_ESINGULAR; /* too ill-conditioned to use */
	}
	memset(tr, 0, sizeof(*tr));
	tr->n = n;
	tr->m = m;
	memcpy(tr->c, c, sizeof(double) * m * n);
	memcpy(tr->p, p, sizeof(double) * m * n);
	memcpy(tr->g, g, sizeof(double) * m);
	memcpy(tr->z, z, sizeof(double) * m);
	tr->diag = is_diagonal(c, p, m, n);
	return 0;
}

/* Checks the input vector and, after the product, the result, then copies
 * the result out (so a refused call writes nothing). */
static int check_in(const struct dx_trans *tr, const double *in,
		    const void *out, unsigned len)
{
	if (!tr || !in || !out)
		return DX_EINVAL;
	return all_finite(in, len) ? 0 : DX_ENOTFINITE;
}

static int put_out(const double *res, double *out, unsigned len)
{
	if (!all_finite(res, len))
		return DX_ERANGE;
	memcpy(out, res, sizeof(double) * len);
	return 0;
}

/* The diagonal paths give bit for bit what the dense sums give. The
 * inputs are finite (checked), so every off-diagonal term is a zero (+0 or
 * -0). A dense sum starts at +0.0 and, in round to nearest, a sum is -0
 * only when both terms are -0, so the accumulator is never -0: adding a
 * zero to it leaves it unchanged. What remains is 0.0 + (diagonal term),
 * written as such below (starting from 0.0 turns a -0 product into +0, as
 * the dense sum does). */

/* y (M) = G (C x + ...) */
static void fwd(const struct dx_trans *tr, const double *x, double *y)
{
	if (tr->diag) {
		for (unsigned i = 0; i < tr->n; i++) {
			double acc = 0.0;

			acc += tr->c[i * tr->n + i] * x[i];
			y[i] = tr->g[i] * acc;
		}
		return;
	}
	for (unsigned i = 0; i < tr->m; i++) {
		double acc = 0.0;

		for (unsigned j = 0; j < tr->n; j++)
			acc += tr->c[i * tr->n + j] * x[j];
		y[i] = tr->g[i] * acc;
	}
}

/* y (N) = P s */
static void inv(const struct dx_trans *tr, const double *s, double *y)
{
	if (tr->diag) {
		for (unsigned i = 0; i < tr->n; i++) {
			double acc = 0.0;

			acc += tr->p[i * tr->m + i] * s[i];
			y[i] = acc;
		}
		return;
	}
	for (unsigned i = 0; i < tr->n; i++) {
		double acc = 0.0;

		for (unsigned j = 0; j < tr->m; j++)
			acc += tr->p[i * tr->m + j] * s[j];
		y[i] = acc;
	}
}

DX_API int dx_trans_joint_to_act_pos(const struct dx_trans *tr,
				     const double *q, double *theta)
{
	double y[DX_TRANS_MAX];
	int err = check_in(tr, q, theta, tr ? tr->n : 0);

	if (err)
		return err;
	fwd(tr, q, y);
	for (unsigned i = 0; i < tr->m; i++)
		y[i] += tr->z[i];
	return put_out(y, theta, tr->m);
}

DX_API int dx_trans_act_to_joint_pos(const struct dx_trans *tr,
				     const double *theta, double *q)
{
	double s[DX_TRANS_MAX], y[DX_TRANS_MAX];
	int err = check_in(tr, theta, q, tr ? tr->m : 0);

	if (err)
		return err;
	for (unsigned j = 0; j < tr->m; j++)
		s[j] = (theta[j] - tr->z[j]) / tr->g[j];
	inv(tr, s, y);
	return put_out(y, q, tr->n);
}

DX_API int dx_trans_joint_to_act_vel(const struct dx_trans *tr,
				     const double *qd, double *thetad)
{
	double y[DX_TRANS_MAX];
	int err = check_in(tr, qd, thetad, tr ? tr->n : 0);

	if (err)
		return err;
	fwd(tr, qd, y);
	return put_out(y, thetad, tr->m);
}

DX_API int dx_trans_act_to_joint_vel(const struct dx_trans *tr,
				     const double *thetad, double *qd)
{
	double s[DX_TRANS_MAX], y[DX_TRANS_MAX];
	int err = check_in(tr, thetad, qd, tr ? tr->m : 0);

	if (err)
		return err;
	for (unsigned j = 0; j < tr->m; j++)
		s[j] = thetad[j] / tr->g[j];
	inv(tr, s, y);
	return put_out(y, qd, tr->n);
}

DX_API int dx_trans_joint_to_act_torque(const struct dx_trans *tr,
					const double *tau_j, double *tau_a)
{
	double y[DX_TRANS_MAX];
	int err = check_in(tr, tau_j, tau_a, tr ? tr->n : 0);

	if (err)
		return err;
	/* tau_a = G^-1 P^T tau_j */
	for (unsigned j = 0; j < tr->m; j++) {
		double acc = 0.0;

		if (tr->diag)
			acc += tr->p[j * tr->m + j] * tau_j[j];
		else
			for (unsigned i = 0; i < tr->n; i++)
				acc += tr->p[i * tr->m + j] * tau_j[i];
		y[j] = acc / tr->g[j];
	}
	return put_out(y, tau_a, tr->m);
}

DX_API int dx_trans_act_to_joint_torque(const struct dx_trans *tr,
					const double *tau_a, double *tau_j)
{
	double y[DX_TRANS_MAX];
	int err = check_in(tr, tau_a, tau_j, tr ? tr->m : 0);

	if (err)
		return err;
	/* tau_j = C^T G tau_a */
	for (unsigned i = 0; i < tr->n; i++) {
		double acc = 0.0;

		if (tr->diag)
			acc += tr->c[i * tr->n + i] * tr->g[i] * tau_a[i];
		else
			for (unsigned j = 0; j < tr->m; j++)
				acc += tr->c[j * tr->n + i] * tr->g[j] * tau_a[j];
		y[i] = acc;
	}
	return put_out(y, tau_j, tr->n);
}
